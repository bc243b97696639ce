import type { ImageBuildSpec } from "./platform/types";

/**
 * Upstream images the lab runs as they are. Each is pinned; the README's version table lists them
 * with the reason for every deviation from the seed.
 */
export const SERVICE_IMAGES = {
  /** @see https://docs.prefect.io/v3/manage/server/examples/docker */
  prefect: "prefecthq/prefect:3.4.1-python3.12",
  /** Confluent Platform 7.5 = Apache Kafka 3.5, run in KRaft mode. */
  kafka: "confluentinc/cp-kafka:7.5.0",
  /** kafbat's maintained fork of provectus/kafka-ui. */
  kafkaUi: "ghcr.io/kafbat/kafka-ui:v1.4.2",
  nifi: "apache/nifi:2.4.0",
} as const;

/** The lab's own images, built from this repository (their bases are pinned in the Dockerfiles). */
export const IMAGES = {
  /** Spark 3.5.5 + Delta 3.3.2 + hadoop-aws 3.3.4, JupyterHub, Prefect, MLflow client (Python 3.10). */
  labRuntime: {
    name: "lab-runtime",
    dockerfile: "images/lab-runtime/Dockerfile",
    inputs: ["images/lab-runtime", "lab/notebooks", "lab/flows"],
  },
  /** ghcr.io/mlflow/mlflow:v2.22.0 + psycopg2 + boto3. */
  mlflow: { name: "mlflow", dockerfile: "images/mlflow/Dockerfile", inputs: ["images/mlflow"] },
  /** Streamlit 1.45.0 + delta-rs, with lab/dashboard. */
  streamlit: {
    name: "streamlit",
    dockerfile: "images/streamlit/Dockerfile",
    inputs: ["images/streamlit", "lab/dashboard"],
  },
} as const satisfies Record<string, ImageBuildSpec>;
