import { about, cpus, section, text, whole } from "../config/fields";
import { memory } from "../config/serviceFields";
import * as lab from "../config/services";

/** The `spark` section of the stack config: Spark's keys, defaults and what each does. */
export const SPARK_CONFIG = about(
  section({
    workers: about(
      whole(0, 64, 2),
      "Spark workers: containers `…-spark-worker-1..N` on Docker, replicas on Kubernetes.",
    ),
    workerCores: about(
      whole(1, 64, 1),
      "Cores each worker offers (also each application's `spark.cores.max` and executor cores).",
    ),
    // @see https://spark.apache.org/docs/3.5.8/spark-standalone.html#cluster-launch-scripts
    workerMemory: about(
      text("512m", [
        'Spark memory of at least 512m, such as "512m" or "2g"',
        (s) => (lab.sparkMemoryMiB(s) ?? 0) >= 512,
        "Spark size ≥ `512m`",
      ]),
      "Memory each worker offers to executors (`SPARK_WORKER_MEMORY`, also `spark.executor.memory`).",
    ),
    workerMemoryMiB: about(
      whole(256, 262144, 1472),
      "Container limit of each worker (the executors' heap plus the worker daemon and the executor JVM's off-heap memory, measured).",
      { kind: `integer ≥ workerMemory + ${lab.WORKER_OVERHEAD_MIB}` },
    ),
    masterMemoryMiB: about(memory(384, "spark-master"), "Container limit of the master."),
    masterCpus: about(cpus(1), "CPU limit of the master (a worker's is `spark.workerCores`)."),
  }),
  "Spark cluster: workers, their cores and memory, container limits.",
  { note: "Spark cluster: workers, their cores and memory, container limits." },
);
