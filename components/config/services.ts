import { defaults, REQUIRES, TOGGLES, type LabConfig, type Toggle } from "./schema";
import {
  Problems,
  readBoolean,
  readCpus,
  readImage,
  readInteger,
  readQuantity,
  readSection,
  readString,
  readStringList,
} from "./readers";

/** Readers of the service sections: `postgres.*`, `minio.*`, `spark.*` and the optional services. */

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/**
 * What a worker's container holds beyond its executors' heap (SPARK_WORKER_MEMORY): the worker
 * daemon (256m heap) and each executor JVM's off-heap memory. Measured by the real-services suite:
 * 1070 MiB peak working set with a 512m executor (the examples, streaming included); the limit must be
 * at least 1.25 × that, 1338 MiB, so 512m + 896 MiB.
 */
const WORKER_OVERHEAD_MIB = 896;

/** Buckets the lab always creates; `minio.buckets` adds to these. */
export const MEDALLION_BUCKETS = ["bronze", "silver", "gold"] as const;
/** Internal buckets the lab's own services need (MLflow's artifact store). */
export const INTERNAL_BUCKETS = ["mlflow"] as const;

export function readPostgres(p: Problems, value: unknown): LabConfig["postgres"] {
  const pg = readSection(p, "postgres", value, Object.keys(defaults.postgres));
  return {
    image: readImage(p, "postgres.image", pg.image, defaults.postgres.image),
    storageSize: readQuantity(
      p,
      "postgres.storageSize",
      pg.storageSize,
      defaults.postgres.storageSize,
    ),
    memoryMiB: readInteger(
      p,
      "postgres.memoryMiB",
      pg.memoryMiB,
      defaults.postgres.memoryMiB,
      128,
      65536,
    ),
    cpus: readCpus(p, "postgres.cpus", pg.cpus, defaults.postgres.cpus),
  };
}

export function readMinio(p: Problems, value: unknown): LabConfig["minio"] {
  const m = readSection(p, "minio", value, Object.keys(defaults.minio));
  const buckets = readStringList(p, "minio.buckets", m.buckets, defaults.minio.buckets);
  const reserved: readonly string[] = [...MEDALLION_BUCKETS, ...INTERNAL_BUCKETS];
  buckets.forEach((bucket, i) => {
    const key = `minio.buckets[${i}]`;
    if (!BUCKET_NAME.test(bucket) || bucket.includes("..")) {
      p.add(key, bucket, "an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-'");
    } else if (reserved.includes(bucket)) {
      p.add(
        key,
        bucket,
        `a bucket other than ${reserved.join(", ")}, which the lab always creates`,
      );
    } else if (buckets.indexOf(bucket) !== i) {
      p.add(key, bucket, "each bucket once");
    }
  });
  return {
    image: readImage(p, "minio.image", m.image, defaults.minio.image),
    buckets,
    storageSize: readQuantity(p, "minio.storageSize", m.storageSize, defaults.minio.storageSize),
    memoryMiB: readInteger(p, "minio.memoryMiB", m.memoryMiB, defaults.minio.memoryMiB, 256, 65536),
    cpus: readCpus(p, "minio.cpus", m.cpus, defaults.minio.cpus),
  };
}

export function readSpark(p: Problems, value: unknown): LabConfig["spark"] {
  const s = readSection(p, "spark", value, Object.keys(defaults.spark));
  const workerMemory = readString(
    p,
    "spark.workerMemory",
    s.workerMemory,
    defaults.spark.workerMemory,
  );
  const offered = sparkMemoryMiB(workerMemory);
  if (offered === undefined || offered < 512) {
    p.add(
      "spark.workerMemory",
      workerMemory,
      'Spark memory of at least 512m, such as "512m" or "2g"',
    );
  }
  const d = defaults.spark;
  const workerMemoryMiB = readInteger(
    p,
    "spark.workerMemoryMiB",
    s.workerMemoryMiB,
    d.workerMemoryMiB,
    256,
    262144,
  );
  if (offered !== undefined && workerMemoryMiB < offered + WORKER_OVERHEAD_MIB) {
    p.add(
      "spark.workerMemoryMiB",
      workerMemoryMiB,
      `at least spark.workerMemory + ${WORKER_OVERHEAD_MIB} MiB (${offered + WORKER_OVERHEAD_MIB}) for the worker daemon and the executor's JVM beyond its heap`,
    );
  }
  return {
    workers: readInteger(p, "spark.workers", s.workers, d.workers, 0, 64),
    workerCores: readInteger(p, "spark.workerCores", s.workerCores, d.workerCores, 1, 64),
    workerMemory,
    workerMemoryMiB,
    masterMemoryMiB: readInteger(
      p,
      "spark.masterMemoryMiB",
      s.masterMemoryMiB,
      d.masterMemoryMiB,
      256,
      65536,
    ),
    masterCpus: readCpus(p, "spark.masterCpus", s.masterCpus, d.masterCpus),
  };
}

/** MiB in a Spark memory string ("512m", "2g"), or undefined when it is not one. */
export function sparkMemoryMiB(value: string): number | undefined {
  const m = /^([1-9]\d*)([mg])$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
}

/**
 * `<service>.enabled` / `<service>.memoryMiB` for every optional service. A service switched on
 * explicitly while what it needs is off is an error; left unset, it follows what it needs.
 */
export function readToggles(p: Problems, raw: Record<string, unknown>): Pick<LabConfig, Toggle> {
  const out: Record<string, unknown> = {};
  const explicit: Partial<Record<Toggle, boolean>> = {};
  for (const name of TOGGLES) {
    const d = defaults[name] as Record<string, unknown> & {
      enabled: boolean;
      memoryMiB: number;
      cpus: number;
    };
    const section = readSection(p, name, raw[name], Object.keys(d));
    const enabled = readBoolean(p, `${name}.enabled`, section.enabled, d.enabled);
    if (section.enabled !== undefined) explicit[name] = enabled;
    const parsed: Record<string, unknown> = {
      enabled,
      memoryMiB: readInteger(p, `${name}.memoryMiB`, section.memoryMiB, d.memoryMiB, 128, 65536),
      cpus: readCpus(p, `${name}.cpus`, section.cpus, d.cpus),
    };
    if ("workerCpus" in d) {
      parsed.workerCpus = readCpus(
        p,
        `${name}.workerCpus`,
        section.workerCpus,
        d.workerCpus as number,
      );
    }
    if ("workerMemoryMiB" in d) {
      parsed.workerMemoryMiB = readInteger(
        p,
        `${name}.workerMemoryMiB`,
        section.workerMemoryMiB,
        d.workerMemoryMiB as number,
        128,
        65536,
      );
    }
    if ("storageSize" in d) {
      parsed.storageSize = readQuantity(
        p,
        `${name}.storageSize`,
        section.storageSize,
        d.storageSize as string,
      );
    }
    if ("topics" in d) {
      const topics = readStringList(p, `${name}.topics`, section.topics, d.topics as string[]);
      topics.forEach((t, i) => {
        if (!/^[a-zA-Z0-9._-]{1,249}$/.test(t) || t === "." || t === "..") {
          p.add(`${name}.topics[${i}]`, t, "a Kafka topic name: letters, digits, '.', '_' or '-'");
        }
      });
      parsed.topics = topics;
    }
    out[name] = parsed;
  }
  for (const [name, needs] of Object.entries(REQUIRES) as [Toggle, Toggle][]) {
    const svc = out[name] as { enabled: boolean };
    const dep = out[needs] as { enabled: boolean };
    if (svc.enabled && !dep.enabled) {
      if (explicit[name]) {
        p.add(
          `${name}.enabled`,
          true,
          `false while ${needs}.enabled is false (${name} needs ${needs})`,
        );
      }
      svc.enabled = false;
    }
  }
  return out as unknown as Pick<LabConfig, Toggle>;
}
