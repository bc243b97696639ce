import { about, text } from "../config/fields";
import { SIZE, service } from "../config/serviceFields";

/** The `jupyterhub` section of the stack config: JupyterHub's keys, defaults and what each does. */
export const JUPYTERHUB_CONFIG = service(
  2176,
  2,
  {
    note: "JupyterHub (notebooks in the lab runtime).",
    enabled: "Deploy JupyterHub (and its database).",
    memoryMiB: "Memory limit (the hub, JupyterLab and the notebooks' Spark drivers).",
    cpus: "CPU limit (the hub, JupyterLab and the drivers share it).",
  },
  {
    storageSize: about(text("10Gi", SIZE), "PVC size of the home directories (Kubernetes)."),
  },
  "jupyterhub",
);
