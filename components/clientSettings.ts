import * as pulumi from "@pulumi/pulumi";
import { joinNetwork, peerAt, type WorkloadNetwork } from "./platform/types";
import type { S3Credentials } from "./storage/minio";

/**
 * Where a client of the lab finds everything: produced once by the lab and injected into every
 * client workload (notebooks, the Prefect worker, Streamlit), so no address or password is written
 * twice. Optional entries are absent when their service is switched off.
 */
export interface ClientSettings {
  /** e.g. `spark://spark-master:7077`. */
  readonly sparkMasterUrl: string;
  /** The connections of a pod that runs Spark drivers (`Spark.driver`). */
  readonly sparkDriver: WorkloadNetwork;
  /** MinIO's S3 API inside the lab, e.g. `http://minio:9000`. */
  readonly s3Endpoint: string;
  /** e.g. `http://mlflow:5000` (artifacts go through it: clients need no S3 keys for MLflow). */
  readonly mlflowTrackingUri?: string;
  /** The clients' MLflow login (password secret). */
  readonly mlflowLogin?: { readonly username: string; readonly password: pulumi.Output<string> };
  /** e.g. `http://prefect-server:4200/api`. */
  readonly prefectApiUrl?: string;
  /** `user:password` for the Prefect API's basic auth (secret). */
  readonly prefectAuthString?: pulumi.Output<string>;
  /** e.g. `kafka:9092`. */
  readonly kafkaBootstrapServers?: string;
  /**
   * Where OpenLineage events go (`http://lineage:5000`) and the key they are sent with (secret):
   * Spark's drivers send theirs, the dashboard reads the graph.
   */
  readonly lineage?: LineageLink;
}

/** The lineage service as its senders and readers see it. */
export interface LineageLink {
  /** e.g. `http://lineage:5000`. */
  readonly url: string;
  /** The path events are posted to, e.g. `/api/v1/lineage`. */
  readonly endpoint: string;
  /** The key every call takes (secret). */
  readonly apiKey: pulumi.Output<string>;
}

/** Environment of a client workload that uses the lake as `s3`. */
export interface ClientEnv {
  readonly env: Record<string, string>;
  readonly secretEnv: Record<string, pulumi.Input<string>>;
  /** The connections these settings make: to every address in `env`, and a Spark driver's. */
  readonly network: WorkloadNetwork;
}

/** The lab services a client can use besides the lake (every client reads or writes MinIO). */
export const CLIENT_SERVICES = ["spark", "mlflow", "prefect", "kafka"] as const;
export type ClientService = (typeof CLIENT_SERVICES)[number];

/**
 * The settings a client uses, as environment variables with the names each tool reads by itself:
 * boto3 and delta-rs (`AWS_*`), MLflow (`MLFLOW_TRACKING_*`), Prefect (`PREFECT_API_*`); Spark and
 * Kafka get plain names the examples read. A client gets only the services it names in `uses` (the
 * dashboard, which only reads gold, gets no Prefect credential), and nothing of a service that is off.
 * @see https://docs.delta.io/latest/delta-storage.html
 * @see https://mlflow.org/docs/latest/self-hosting/security/basic-http-auth/
 * @see https://docs.prefect.io/v3/develop/settings-and-profiles
 */
export function clientEnv(
  settings: ClientSettings,
  s3: S3Credentials,
  uses: readonly ClientService[],
): ClientEnv {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: s3.accessKey,
    AWS_ALLOW_HTTP: "true",
    AWS_ENDPOINT_URL: settings.s3Endpoint,
    AWS_REGION: "us-east-1",
  };
  const secretEnv: Record<string, pulumi.Input<string>> = { AWS_SECRET_ACCESS_KEY: s3.secretKey };
  const use = new Set(uses);
  if (use.has("spark")) env.SPARK_MASTER_URL = settings.sparkMasterUrl;
  if (use.has("mlflow") && settings.mlflowTrackingUri) {
    env.MLFLOW_TRACKING_URI = settings.mlflowTrackingUri;
    if (settings.mlflowLogin) {
      env.MLFLOW_TRACKING_USERNAME = settings.mlflowLogin.username;
      secretEnv.MLFLOW_TRACKING_PASSWORD = settings.mlflowLogin.password;
    }
  }
  if (use.has("kafka") && settings.kafkaBootstrapServers) {
    env.KAFKA_BOOTSTRAP_SERVERS = settings.kafkaBootstrapServers;
  }
  if (use.has("prefect") && settings.prefectApiUrl) env.PREFECT_API_URL = settings.prefectApiUrl;
  if (use.has("prefect") && settings.prefectAuthString) {
    secretEnv.PREFECT_API_AUTH_STRING = settings.prefectAuthString;
  }
  const addresses = [
    env.AWS_ENDPOINT_URL,
    env.MLFLOW_TRACKING_URI,
    env.KAFKA_BOOTSTRAP_SERVERS,
    env.PREFECT_API_URL,
  ].filter((a) => a !== undefined);
  const network = joinNetwork(
    { connects: addresses.map(peerAt) },
    use.has("spark") ? settings.sparkDriver : {},
  );
  return { env, secretEnv, network };
}
