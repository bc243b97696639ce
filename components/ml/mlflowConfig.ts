import { service } from "../config/serviceFields";

/** The `mlflow` section of the stack config: MLflow's keys, defaults and what each does. */
export const MLFLOW_CONFIG = service(
  832,
  1,
  {
    note: "MLflow tracking server.",
    enabled: "Deploy MLflow (its database, bucket and identity go with it).",
  },
  {},
  "mlflow",
);
