import { STREAMLIT } from "./apps/streamlit";
import { THRIFT_SERVER } from "./compute/thriftServer";
import { LINEAGE } from "./governance/lineage";
import { NIFI } from "./ingestion/nifi";
import { MLFLOW } from "./ml/mlflow";
import { JUPYTERHUB } from "./notebooks/jupyterhub";
import { PREFECT } from "./orchestration/prefect";
import type { ServiceModule } from "./serviceModule";
import { KAFKA } from "./streaming/kafka";
import { KAFKA_UI } from "./streaming/kafkaUi";

/**
 * The services the lab deploys on its core (PostgreSQL, MinIO, Spark), in this order: each after
 * those it uses, the dashboard last since it polls the others. Adding a service is a line here.
 */
export const LAB_SERVICES: readonly ServiceModule[] = [
  LINEAGE,
  KAFKA,
  MLFLOW,
  KAFKA_UI,
  PREFECT,
  THRIFT_SERVER,
  NIFI,
  JUPYTERHUB,
  STREAMLIT,
];
