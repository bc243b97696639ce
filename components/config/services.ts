/**
 * Facts about the services that the config schema checks against and the components build from:
 * which buckets the lab always owns, how much of a Spark worker's container is not executor heap,
 * and the least memory each service starts in.
 */

/** Buckets the lab always creates; `minio.buckets` adds to these. */
export const MEDALLION_BUCKETS = ["bronze", "silver", "gold"] as const;
/** Internal buckets the lab's own services need (MLflow's artifact store). */
export const INTERNAL_BUCKETS = ["mlflow"] as const;

/** The medallion layers: raw data lands in bronze, the dashboard reads gold. */
export const [BRONZE, SILVER, GOLD] = MEDALLION_BUCKETS;
/** MLflow's artifact store, the only bucket its identity may use. */
export const [MLFLOW_BUCKET] = INTERNAL_BUCKETS;

/**
 * What a worker's container holds beyond its executors' heap (SPARK_WORKER_MEMORY): the worker
 * daemon (256m heap) and each executor JVM's off-heap memory. Measured by the real-services suite:
 * 1111 MiB peak working set with a 512m executor (the seven notebooks twice, streaming included; 1070
 * with five); the limit must be at least 1.25 × that, 1389 MiB, so 512m + 960 MiB (1472).
 */
export const WORKER_OVERHEAD_MIB = 960;

/** MiB in a Spark memory string ("512m", "2g"), or undefined when it is not one. */
export function sparkMemoryMiB(value: string): number | undefined {
  const m = /^([1-9]\d*)([mg])$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
}

/**
 * The most each service used from a start until its health check passed, in MiB: its container's
 * peak working set, the highest of its starts (the first `up`, which migrates the databases, is
 * the largest; then the restart and each change) over three runs of the real-services suite on
 * 2026-12-06 (`e2e-report/start-memory.md`). The suite fails when a start needs more than
 * {@link leastMemoryMiB} allows.
 */
export const STARTED_WITH_MIB = {
  postgres: 72,
  // Not less at a smaller limit: its health check's tool JVM and the broker's own off-heap memory
  // are most of it. A one-off probe with the suite's runtime killed it for memory while starting
  // at 320 and 384 MiB, and it started at 416 with 408 used.
  kafka: 435,
  minio: 115,
  "spark-master": 279,
  mlflow: 468,
  "prefect-server": 223,
  "prefect-worker": 205,
  jupyterhub: 122,
  streamlit: 65,
  // Spark's Thrift server: its driver JVM, the catalog's Hive client and HiveServer2 (2026-12-07).
  "spark-thrift": 516,
  // The lineage service: one Python process, its receiver and a pool of two connections
  // (2026-12-07, the real-services run of a7b51e8; its peak there, 56 MiB, too).
  lineage: 56,
} as const;

/** The schema's floor for a memory limit with no measurement behind it. */
export const GENERAL_LEAST_MEMORY_MIB = 128;

/**
 * The smallest memory limit a service is given: 1.25 × what it started with, rounded up to 64 MiB
 * (a smaller limit would kill it for memory while it starts), and never below the general floor.
 * NiFi and the Kafka UI, which the suite cannot run here, keep the general floor.
 */
export function leastMemoryMiB(service: keyof typeof STARTED_WITH_MIB): number {
  const needed = Math.ceil((STARTED_WITH_MIB[service] * 1.25) / 64) * 64;
  return Math.max(GENERAL_LEAST_MEMORY_MIB, needed);
}
