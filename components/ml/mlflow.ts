import * as pulumi from "@pulumi/pulumi";
import { LAB_RUNTIME_USER } from "../images";
import { pythonHttpCheck, type BuiltImage, type Workload } from "../platform/types";
import type { Service, ServiceArgs } from "../service";
import type { S3Credentials } from "../storage/minio";

/** Arguments for {@link Mlflow}. `startAfter` holds PostgreSQL and the lake. */
export interface MlflowArgs extends ServiceArgs {
  /** The lab runtime image (MLflow 2.22 with psycopg2 and boto3, the notebooks' very MLflow). */
  readonly image: BuiltImage;
  /** Backend store, `postgresql+psycopg2://mlflow:…@postgres:5432/mlflow` (secret). */
  readonly backendStoreUri: pulumi.Input<string>;
  /** S3 API inside the lab, e.g. `http://minio:9000`. */
  readonly s3Endpoint: string;
  /** MLflow's own identity, scoped to the artifact bucket. */
  readonly s3: S3Credentials;
  /** Bucket holding the artifacts. */
  readonly artifactBucket: string;
}

const PORT = 5000;

/**
 * MLflow tracking server on PostgreSQL, proxying artifacts to MinIO (`--serve-artifacts`), so
 * clients need only the tracking URI, never S3 keys.
 * @see https://mlflow.org/docs/2.22.0/tracking/server#tracking-server-artifact-store
 */
export class Mlflow extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];
  /** e.g. `http://mlflow:5000`. */
  readonly trackingUri: string;

  constructor(name: string, args: MlflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:ml:Mlflow", name, {}, opts);
    this.workload = args.platform.deploy(
      {
        service: "mlflow",
        image: args.image,
        // `mlflow server` would be PID 1 (the image's entrypoint execs its command), where a
        // Python process without a SIGTERM handler ignores the signal: every stop would wait out
        // the grace and end in SIGKILL (seen in the real-services suite). tini passes the signal
        // on, to the server's process group (its web workers too).
        entrypoint: ["/usr/bin/tini", "-g", "--"],
        command: [
          "mlflow",
          "server",
          "--host",
          "0.0.0.0",
          "--port",
          String(PORT),
          "--workers",
          "1",
          "--serve-artifacts",
          "--artifacts-destination",
          `s3://${args.artifactBucket}`,
        ],
        env: {
          AWS_ACCESS_KEY_ID: args.s3.accessKey,
          MLFLOW_S3_ENDPOINT_URL: args.s3Endpoint,
        },
        // The store URI holds a password, so it travels as a secret env var, not an argument.
        secretEnv: {
          AWS_SECRET_ACCESS_KEY: args.s3.secretKey,
          MLFLOW_BACKEND_STORE_URI: args.backendStoreUri,
        },
        ports: [
          {
            name: "http",
            port: PORT,
            publish: { hostPort: PORT, nodePort: 30500, scheme: "http", urlKey: "mlflow" },
          },
        ],
        health: {
          command: pythonHttpCheck(`http://localhost:${PORT}/health`),
          http: { path: "/health", port: PORT },
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.trackingUri = `http://${this.workload.host}:${PORT}`;
    this.registerOutputs({ trackingUri: this.trackingUri });
  }
}
