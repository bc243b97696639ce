/**
 * Facts about the services that the config schema checks against and the components build from:
 * which buckets the lab always owns, and how much of a Spark worker's container is not executor heap.
 */

/** Buckets the lab always creates; `minio.buckets` adds to these. */
export const MEDALLION_BUCKETS = ["bronze", "silver", "gold"] as const;
/** Internal buckets the lab's own services need (MLflow's artifact store). */
export const INTERNAL_BUCKETS = ["mlflow"] as const;

/**
 * What a worker's container holds beyond its executors' heap (SPARK_WORKER_MEMORY): the worker
 * daemon (256m heap) and each executor JVM's off-heap memory. Measured by the real-services suite:
 * 1070 MiB peak working set with a 512m executor (the examples, streaming included); the limit must be
 * at least 1.25 × that, 1338 MiB, so 512m + 896 MiB.
 */
export const WORKER_OVERHEAD_MIB = 896;

/** MiB in a Spark memory string ("512m", "2g"), or undefined when it is not one. */
export function sparkMemoryMiB(value: string): number | undefined {
  const m = /^([1-9]\d*)([mg])$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
}
