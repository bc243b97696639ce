import { about, cpus } from "../config/fields";
import { memory, service } from "../config/serviceFields";

/** The `prefect` section of the stack config: Prefect's keys, defaults and what each does. */
export const PREFECT_CONFIG = service(
  384,
  1,
  {
    note: "Prefect server and process worker.",
    enabled: "Deploy Prefect's server and worker (and their database).",
    memoryMiB: "Memory limit of the server.",
    cpus: "CPU limit of the server.",
  },
  {
    workerMemoryMiB: about(
      memory(1792, "prefect-worker"),
      "Memory limit of the worker (flows run in it, each a Spark driver).",
    ),
    // Two cores: a flow run is a Python process and a Spark driver JVM whose compiler and GC
    // threads run beside it; measured in the real-services suite, one core held the worker back
    // 48 s over the scenario's flow runs.
    workerCpus: about(
      cpus(2),
      "CPU limit of the worker (a flow run's Python and its Spark driver JVM share it; one core held it back, see [Testing](testing.md)).",
    ),
  },
  "prefect-server",
);
