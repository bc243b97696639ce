import { NIFI_IMAGE } from "./ingestion/nifi";
import type { ImageBuildSpec } from "./platform/types";
import { KAFKA_IMAGE } from "./streaming/kafka";
import { KAFKA_UI_IMAGE } from "./streaming/kafkaUi";

/**
 * Upstream images the lab runs as they are, each pinned beside its component; docs/versions.md's
 * table lists them with the reason for every deviation from the seed.
 */
export const SERVICE_IMAGES = {
  kafka: KAFKA_IMAGE,
  kafkaUi: KAFKA_UI_IMAGE,
  nifi: NIFI_IMAGE,
} as const;

/**
 * The lab's own image, built from this repository (its base, jars, Node and Python packages are
 * locked in images/lab-runtime). Every Python service runs it: Spark, JupyterHub's notebooks, the
 * MLflow server, Prefect's server and worker, and the Streamlit dashboard, so no service's Python
 * packages can drift from the notebooks'.
 */
export const IMAGES = {
  /** Spark 4.2.0 + Delta 4.4.0 + hadoop-aws 3.5.0, Python 3.12 with the lab's locked packages. */
  labRuntime: {
    name: "lab-runtime",
    dockerfile: "images/lab-runtime/Dockerfile",
    inputs: ["images/lab-runtime", "lab"],
  },
} as const satisfies Record<string, ImageBuildSpec>;

/** Where the lab's content lands in the lab runtime image (COPY lab /opt/lab in its Dockerfile). */
export const LAB_CONTENT = "/opt/lab";

/**
 * The lab runtime's unprivileged user: `spark`, uid/gid 185, created by its Dockerfile with the ids
 * of apache/spark-docker's images.
 * @see https://github.com/apache/spark-docker/blob/master/Dockerfile.template
 */
export const LAB_RUNTIME_USER = { user: 185, group: 185 } as const;
