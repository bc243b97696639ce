import { about, text } from "../config/fields";
import { SIZE, service } from "../config/serviceFields";

// NiFi's start-up (NAR unpacking, flow load) is CPU-bound; the hub shares its container with
// JupyterLab and every notebook's Spark driver.
/** The `nifi` section of the stack config: NiFi's keys, defaults and what each does. */
export const NIFI_CONFIG = service(
  768,
  2,
  {
    note: "Apache NiFi.",
    enabled: "Deploy NiFi.",
    memoryMiB: "Memory limit (half of it is NiFi's heap).",
    cpus: "CPU limit (NiFi's start-up is CPU-bound: minutes on one core).",
  },
  {
    storageSize: about(
      text("10Gi", SIZE),
      "Size of each of NiFi's four repository PVCs (content, database, flowfile, provenance) on Kubernetes; `conf` and `state` get 1Gi each.",
    ),
  },
);
