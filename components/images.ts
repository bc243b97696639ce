import type { ImageBuildSpec } from "./platform/types";

/**
 * Upstream images the lab runs as they are. Each is pinned; the README's version table lists them
 * with the reason for every deviation from the seed.
 */
export const SERVICE_IMAGES = {
  /** Confluent Platform 7.5 = Apache Kafka 3.5, run in KRaft mode. */
  kafka: "confluentinc/cp-kafka:7.5.0",
  /** kafbat's maintained fork of provectus/kafka-ui. */
  kafkaUi: "ghcr.io/kafbat/kafka-ui:v1.4.2",
  nifi: "apache/nifi:2.4.0",
} as const;

/**
 * The lab's own image, built from this repository (its base, jars, Node and Python packages are
 * locked in images/lab-runtime). Every Python service runs it: Spark, JupyterHub's notebooks, the
 * MLflow server, Prefect's server and worker, and the Streamlit dashboard, so no service's Python
 * packages can drift from the notebooks'.
 */
export const IMAGES = {
  /** Spark 3.5.5 + Delta 3.3.2 + hadoop-aws 3.3.4, Python 3.10 with the lab's locked packages. */
  labRuntime: {
    name: "lab-runtime",
    dockerfile: "images/lab-runtime/Dockerfile",
    inputs: ["images/lab-runtime", "lab"],
  },
} as const satisfies Record<string, ImageBuildSpec>;

/** Where the lab's content lands in the lab runtime image (COPY lab /opt/lab in its Dockerfile). */
export const LAB_CONTENT = "/opt/lab";

/**
 * The lab runtime's unprivileged user: `spark`, uid/gid 185, from its base image.
 * @see https://github.com/apache/spark-docker/blob/master/3.5.5/scala2.12-java17-ubuntu/Dockerfile
 */
export const LAB_RUNTIME_USER = { user: 185, group: 185 } as const;
