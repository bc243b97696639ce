import * as pulumi from "@pulumi/pulumi";
import { Streamlit } from "./apps/streamlit";
import { CLIENT_SERVICES, clientEnv, type ClientSettings } from "./clientSettings";
import { Spark } from "./compute/spark";
import { BRONZE, GOLD, MLFLOW_BUCKET, type LabConfig } from "./config";
import type { Toggle } from "./config/schema";
import { IMAGES, SERVICE_IMAGES } from "./images";
import { Nifi, NIFI_LANDING_BUCKET } from "./ingestion/nifi";
import { healthUrlsOf, memoryBudget, urlsOf, type MemoryBudget } from "./labOutputs";
import { Mlflow, MLFLOW_LAB_USER } from "./ml/mlflow";
import { JupyterHub } from "./notebooks/jupyterhub";
import { Prefect, PREFECT_API_URL, prefectAuthString } from "./orchestration/prefect";
import { peerAt, type Platform } from "./platform/types";
import { labAccess, labCredentials } from "./labAccess";
import { LabSecrets } from "./secrets";
import { ADMIN, needs, type Service } from "./service";
import { Minio } from "./storage/minio";
import { Postgres } from "./storage/postgres";
import { Kafka, kraftClusterId } from "./streaming/kafka";
import { KafkaUi } from "./streaming/kafkaUi";

/*
 * Logical names follow one rule (docs/architecture.md, "Names"): components `<parent>-<role>`
 * (`lab-minio`), what a component owns once its own name, everything else what it is in the lab
 * (`minio-data`, `bronze`, `s3-spark`). A rename or a new parent replaces the resource, data and
 * all, unless it carries an alias naming the old one.
 */

/** Arguments for {@link DataFlowLab}. */
export interface DataFlowLabArgs {
  /** The validated stack config: which services are on, and each one's image, memory and CPUs. */
  readonly config: LabConfig;
  /** Where the workloads run (a DockerPlatform or a KubernetesPlatform). */
  readonly platform: Platform;
}

/**
 * The whole lab on one platform, wired together: secrets, PostgreSQL, MinIO, Spark, and each
 * optional service that is switched on. Client workloads get one set of client settings.
 * Outputs: what a person opens (`urls`), logs in with (`credentials`), and the memory it takes,
 * all derived from the workloads the services deployed.
 */
export class DataFlowLab extends pulumi.ComponentResource {
  readonly secrets: LabSecrets;
  /** Absent when no service with a database is on. */
  readonly postgres?: Postgres;
  readonly minio: Minio;
  readonly spark: Spark;
  /** Where clients find everything (injected into JupyterHub, the Prefect worker, Streamlit). */
  readonly settings: ClientSettings;
  /** Every deployed service, in the order the lab deployed them. */
  readonly services: readonly Service[];
  /** URL key → URL a person opens. */
  readonly urls: Record<string, string>;
  /** Every login of the lab; a secret output. */
  readonly credentials: pulumi.Output<unknown>;
  /** Addresses services use inside the platform network. */
  readonly endpoints: Record<string, string>;
  /** Memory limits (MiB) the platform allotted: per service (all its copies) and in total. */
  readonly memoryLimitMiB: MemoryBudget;

  constructor(name: string, args: DataFlowLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:index:Lab", name, {}, opts);
    const { config, platform } = args;
    const on = (t: Toggle) => config[t].enabled;
    const { databases, identities, buckets, passwords } = labAccess(config);

    const secrets = (this.secrets = new LabSecrets(
      `${name}-secrets`,
      {
        databases: databases.map((d) => d.name),
        s3Identities: identities.map((i) => i.name),
        passwords,
      },
      { parent: this },
    ));
    const child = { parent: this };

    const postgres = (this.postgres =
      databases.length > 0
        ? new Postgres(
            `${name}-postgres`,
            {
              ...config.postgres,
              platform,
              superuserPassword: secrets.postgresPassword,
              databases: databases.map((d) => ({
                ...d,
                password: secrets.databasePasswords[d.name],
              })),
            },
            child,
          )
        : undefined);
    const database = (consumer: Toggle) => needs(postgres, "postgres", consumer);

    const minio = (this.minio = new Minio(
      `${name}-minio`,
      {
        ...config.minio,
        platform,
        rootUser: secrets.minioRootUser,
        rootPassword: secrets.minioRootPassword,
        bucketKeeperSecret: secrets.bucketKeeperSecret,
        buckets: [...buckets],
        versionedBuckets: [BRONZE],
        identities: identities.map((i) => ({ ...i, secretKey: secrets.s3SecretKeys[i.name] })),
        retainOnDestroy: config.retainDataOnDestroy,
      },
      child,
    ));
    const lake = [...minio.workload.ready, ...minio.lakeReady];
    const sparkS3 = minio.credentials("spark");

    const kafka = on("kafka")
      ? new Kafka(
          `${name}-kafka`,
          {
            ...config.kafka,
            platform,
            image: SERVICE_IMAGES.kafka,
            clusterId: kraftClusterId(pulumi.getProject(), pulumi.getStack()),
          },
          child,
        )
      : undefined;
    const runtime = platform.image({ ...IMAGES.labRuntime, prebuilt: config.images.lab }, this);
    const spark = (this.spark = new Spark(
      `${name}-spark`,
      {
        ...config.spark,
        platform,
        image: runtime,
        s3Endpoint: minio.endpoint,
        s3: sparkS3,
        authSecret: secrets.passwords["spark-auth"],
        memoryMiB: config.spark.masterMemoryMiB,
        cpus: config.spark.masterCpus,
        // Structured streaming's executors read the topics.
        executorPeers: kafka ? [peerAt(kafka.bootstrapServers)] : [],
        startAfter: lake,
      },
      child,
    ));

    // The notebooks' and flows' MLflow login: one of MLflow's logins, and the clients' setting.
    const mlflowLab = { username: MLFLOW_LAB_USER, password: secrets.passwords["mlflow-lab"] };
    const mlflow = on("mlflow")
      ? new Mlflow(
          `${name}-mlflow`,
          {
            ...config.mlflow,
            platform,
            image: runtime,
            backendStore: database("mlflow").link("mlflow", "psycopg2"),
            s3Endpoint: minio.endpoint,
            s3: minio.credentials("mlflow"),
            artifactBucket: MLFLOW_BUCKET,
            logins: [
              { username: ADMIN, password: secrets.passwords["mlflow-admin"], admin: true },
              { ...mlflowLab, admin: false },
            ],
            flaskSecretKey: secrets.passwords["mlflow-flask-secret"],
            startAfter: [...database("mlflow").workload.ready, ...lake],
          },
          child,
        )
      : undefined;

    const kafkaUi = on("kafkaUi")
      ? new KafkaUi(
          `${name}-kafka-ui`,
          {
            ...config.kafkaUi,
            platform,
            image: SERVICE_IMAGES.kafkaUi,
            bootstrapServers: needs(kafka, "kafka", "kafkaUi").bootstrapServers,
            username: ADMIN,
            password: secrets.passwords["kafka-ui-admin"],
            startAfter: needs(kafka, "kafka", "kafkaUi").workload.ready,
          },
          child,
        )
      : undefined;

    // Every address is known before anything is deployed (a workload's host is its service name),
    // so the settings are complete before the first client, the Prefect worker, exists.
    const prefectAuth = on("prefect")
      ? prefectAuthString(secrets.passwords["prefect-admin"])
      : undefined;
    const settings: ClientSettings = (this.settings = {
      sparkMasterUrl: spark.masterUrl,
      sparkDriver: spark.driver,
      s3Endpoint: minio.endpoint,
      mlflowTrackingUri: mlflow?.trackingUri,
      mlflowLogin: mlflow ? mlflowLab : undefined,
      prefectApiUrl: on("prefect") ? PREFECT_API_URL : undefined,
      prefectAuthString: prefectAuth,
      kafkaBootstrapServers: kafka?.bootstrapServers,
    });
    const client = clientEnv(settings, sparkS3, CLIENT_SERVICES);

    const prefect =
      on("prefect") && prefectAuth
        ? new Prefect(
            `${name}-prefect`,
            {
              ...config.prefect,
              platform,
              image: runtime,
              database: database("prefect").link("prefect", "asyncpg"),
              authString: prefectAuth,
              workerClient: client,
              workerFiles: [spark.conf],
              startAfter: database("prefect").workload.ready,
            },
            child,
          )
        : undefined;

    const nifi = on("nifi")
      ? new Nifi(
          `${name}-nifi`,
          {
            ...config.nifi,
            platform,
            image: SERVICE_IMAGES.nifi,
            username: ADMIN,
            password: secrets.passwords["nifi-admin"],
            landing: {
              s3Endpoint: minio.endpoint,
              bucket: NIFI_LANDING_BUCKET,
              s3: minio.credentials("nifi"),
            },
          },
          child,
        )
      : undefined;

    const jupyterhub = on("jupyterhub")
      ? new JupyterHub(
          `${name}-jupyterhub`,
          {
            ...config.jupyterhub,
            platform,
            image: runtime,
            adminUser: ADMIN,
            adminPassword: secrets.passwords["jupyterhub-admin"],
            database: database("jupyterhub").link("jupyterhub", "psycopg2"),
            cookieKey: secrets.passwords["jupyterhub-cookie-secret"],
            proxyToken: secrets.passwords["jupyterhub-proxy-token"],
            client,
            files: [spark.conf],
            startAfter: [...database("jupyterhub").workload.ready, ...spark.master.ready],
          },
          child,
        )
      : undefined;

    // The dashboard reports on every service deployed before it, so it comes last.
    const reported: Service[] = [
      postgres,
      minio,
      spark,
      mlflow,
      kafka,
      kafkaUi,
      prefect,
      nifi,
      jupyterhub,
    ].filter((s) => s !== undefined);
    const streamlit = on("streamlit")
      ? new Streamlit(
          `${name}-streamlit`,
          {
            ...config.streamlit,
            platform,
            image: runtime,
            // The dashboard reads gold and polls health URLs: the lake is all it uses.
            client: clientEnv(settings, minio.credentials("streamlit"), []),
            healthUrls: healthUrlsOf(reported.flatMap((s) => s.workloads)),
            goldBucket: GOLD,
            startAfter: lake,
          },
          child,
        )
      : undefined;

    this.services = streamlit ? [...reported, streamlit] : reported;
    platform.isolate(this);
    const workloads = this.services.flatMap((s) => s.workloads);
    this.urls = urlsOf(workloads);
    this.memoryLimitMiB = memoryBudget(workloads);
    this.endpoints = {
      s3: minio.endpoint,
      "spark-master": spark.masterUrl,
      ...(postgres ? { postgres: postgres.address } : {}),
      ...(settings.mlflowTrackingUri ? { mlflow: settings.mlflowTrackingUri } : {}),
      ...(settings.prefectApiUrl ? { prefect: settings.prefectApiUrl } : {}),
      ...(settings.kafkaBootstrapServers ? { kafka: settings.kafkaBootstrapServers } : {}),
    };
    this.credentials = labCredentials(secrets, config);

    this.registerOutputs({
      urls: this.urls,
      endpoints: this.endpoints,
      credentials: this.credentials,
      memoryLimitMiB: this.memoryLimitMiB,
    });
  }
}
