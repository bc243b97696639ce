import * as pulumi from "@pulumi/pulumi";
import { Streamlit } from "./apps/streamlit";
import { CLIENT_SERVICES, clientEnv, type ClientSettings } from "./clientSettings";
import { Spark } from "./compute/spark";
import { sparkDefaults } from "./compute/sparkDefaults";
import { INTERNAL_BUCKETS, MEDALLION_BUCKETS, type LabConfig } from "./config";
import type { Toggle } from "./config/schema";
import { IMAGES, SERVICE_IMAGES } from "./images";
import { Nifi } from "./ingestion/nifi";
import { Mlflow } from "./ml/mlflow";
import { JupyterHub } from "./notebooks/jupyterhub";
import { Prefect } from "./orchestration/prefect";
import type { Platform, Workload } from "./platform/types";
import {
  ADMIN,
  DATABASES,
  identityAccess,
  labCredentials,
  NIFI_LANDING_BUCKET,
  passwordsFor,
} from "./labAccess";
import { LabSecrets } from "./secrets";
import { Minio } from "./storage/minio";
import { Postgres } from "./storage/postgres";
import { Kafka, kraftClusterId } from "./streaming/kafka";
import { KafkaUi } from "./streaming/kafkaUi";

/** Arguments for {@link DataFlowLab}. */
export interface DataFlowLabArgs {
  readonly config: LabConfig;
  /** Where the workloads run (a DockerPlatform or a KubernetesPlatform). */
  readonly platform: Platform;
}

/**
 * The whole lab on one platform, wired together: secrets, PostgreSQL, MinIO, Spark, and each
 * optional service that is switched on. Client workloads get one set of client settings.
 * Outputs: what a person opens (`urls`), logs in with (`credentials`), and the memory it takes.
 */
export class DataFlowLab extends pulumi.ComponentResource {
  readonly secrets: LabSecrets;
  readonly postgres?: Postgres;
  readonly minio: Minio;
  readonly spark: Spark;
  readonly settings: ClientSettings;
  /** Service → URL a person opens. */
  readonly urls: Record<string, string> = {};
  /** Every login of the lab; a secret output. */
  readonly credentials: pulumi.Output<unknown>;
  /** Addresses services use inside the platform network. */
  readonly endpoints: Record<string, string>;

  constructor(name: string, args: DataFlowLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:index:Lab", name, {}, opts);
    const { config, platform } = args;
    const on = (t: Toggle) => config[t].enabled;
    const databases = DATABASES.filter((d) => on(d.name));
    const identities = identityAccess(config.minio.buckets, {
      mlflow: on("mlflow"),
      streamlit: on("streamlit"),
      nifi: on("nifi"),
    });
    const passwords = passwordsFor(on);

    const secrets = (this.secrets = new LabSecrets(
      `${name}-secrets`,
      {
        databases: databases.map((d) => d.name),
        s3Identities: identities.map((i) => i.name),
        passwords,
        hexKeys: on("jupyterhub") ? { "jupyterhub-cookie-secret": 32 } : {},
      },
      { parent: this },
    ));
    const child = { parent: this };

    if (databases.length > 0) {
      this.postgres = new Postgres(
        `${name}-postgres`,
        {
          platform,
          image: config.postgres.image,
          superuserPassword: secrets.postgresPassword,
          databases: databases.map((d) => ({ ...d, password: secrets.databasePasswords[d.name] })),
          storageSize: config.postgres.storageSize,
          memoryMiB: config.postgres.memoryMiB,
          cpus: config.postgres.cpus,
        },
        child,
      );
    }
    const postgres = this.postgres;

    const minio = (this.minio = new Minio(
      `${name}-minio`,
      {
        platform,
        image: config.minio.image,
        rootUser: secrets.minioRootUser,
        rootPassword: secrets.minioRootPassword,
        buckets: [
          ...MEDALLION_BUCKETS,
          ...(on("mlflow") ? INTERNAL_BUCKETS : []),
          ...config.minio.buckets,
        ],
        versionedBuckets: ["bronze"],
        identities: identities.map((i) => ({ ...i, secretKey: secrets.s3SecretKeys[i.name] })),
        retainOnDestroy: config.retainDataOnDestroy,
        storageSize: config.minio.storageSize,
        memoryMiB: config.minio.memoryMiB,
        cpus: config.minio.cpus,
      },
      child,
    ));
    const lake = [...minio.workload.ready, ...minio.lakeReady];
    const sparkS3 = minio.credentials("spark");

    const runtime = platform.image({ ...IMAGES.labRuntime, prebuilt: config.images.lab }, this);
    const spark = (this.spark = new Spark(
      `${name}-spark`,
      {
        platform,
        image: runtime,
        sparkDefaults: (masterUrl) =>
          sparkS3.secretKey.apply((secretKey) =>
            sparkDefaults({
              masterUrl,
              s3Endpoint: minio.endpoint,
              accessKey: sparkS3.accessKey,
              secretKey,
              executorMemory: config.spark.workerMemory,
              executorCores: config.spark.workerCores,
            }),
          ),
        ...config.spark,
        dependsOn: lake,
      },
      child,
    ));

    const mlflow = on("mlflow")
      ? new Mlflow(
          `${name}-mlflow`,
          {
            platform,
            image: runtime,
            backendStoreUri: postgres!.url("mlflow", "psycopg2"),
            s3Endpoint: minio.endpoint,
            s3: minio.credentials("mlflow"),
            artifactBucket: INTERNAL_BUCKETS[0],
            memoryMiB: config.mlflow.memoryMiB,
            cpus: config.mlflow.cpus,
            dependsOn: [...postgres!.workload.ready, ...lake],
          },
          child,
        )
      : undefined;

    const kafka = on("kafka")
      ? new Kafka(
          `${name}-kafka`,
          {
            platform,
            image: SERVICE_IMAGES.kafka,
            clusterId: kraftClusterId(pulumi.getProject(), pulumi.getStack()),
            topics: config.kafka.topics,
            storageSize: config.kafka.storageSize,
            memoryMiB: config.kafka.memoryMiB,
            cpus: config.kafka.cpus,
          },
          child,
        )
      : undefined;
    const kafkaUi =
      kafka && on("kafkaUi")
        ? new KafkaUi(
            `${name}-kafka-ui`,
            {
              platform,
              image: SERVICE_IMAGES.kafkaUi,
              bootstrapServers: kafka.bootstrapServers,
              username: ADMIN,
              password: secrets.passwords["kafka-ui-admin"],
              memoryMiB: config.kafkaUi.memoryMiB,
              cpus: config.kafkaUi.cpus,
              dependsOn: kafka.workload.ready,
            },
            child,
          )
        : undefined;

    const base: ClientSettings = {
      sparkMasterUrl: spark.masterUrl,
      s3Endpoint: minio.endpoint,
      mlflowTrackingUri: mlflow?.trackingUri,
      kafkaBootstrapServers: kafka?.bootstrapServers,
    };
    const prefectAuth = on("prefect")
      ? pulumi.secret(pulumi.interpolate`${ADMIN}:${secrets.passwords["prefect-admin"]}`)
      : undefined;
    const prefect = on("prefect")
      ? new Prefect(
          `${name}-prefect`,
          {
            platform,
            image: runtime,
            databaseUrl: postgres!.url("prefect", "asyncpg"),
            authString: prefectAuth!,
            workerEnv: (apiUrl) =>
              clientEnv(
                { ...base, prefectApiUrl: apiUrl, prefectAuthString: prefectAuth },
                sparkS3,
                CLIENT_SERVICES,
              ),
            workerFiles: [spark.conf],
            serverMemoryMiB: config.prefect.memoryMiB,
            workerMemoryMiB: config.prefect.workerMemoryMiB,
            serverCpus: config.prefect.cpus,
            workerCpus: config.prefect.workerCpus,
            dependsOn: postgres!.workload.ready,
          },
          child,
        )
      : undefined;
    const settings = (this.settings = {
      ...base,
      prefectApiUrl: prefect?.apiUrl,
      prefectAuthString: prefectAuth,
    });

    const nifi = on("nifi")
      ? new Nifi(
          `${name}-nifi`,
          {
            platform,
            image: SERVICE_IMAGES.nifi,
            username: ADMIN,
            password: secrets.passwords["nifi-admin"],
            landing: {
              s3Endpoint: minio.endpoint,
              bucket: NIFI_LANDING_BUCKET,
              s3: minio.credentials("nifi"),
            },
            storageSize: config.nifi.storageSize,
            memoryMiB: config.nifi.memoryMiB,
            cpus: config.nifi.cpus,
          },
          child,
        )
      : undefined;

    const jupyterhub = on("jupyterhub")
      ? new JupyterHub(
          `${name}-jupyterhub`,
          {
            platform,
            image: runtime,
            adminUser: ADMIN,
            adminPassword: secrets.passwords["jupyterhub-admin"],
            databaseUrl: postgres!.url("jupyterhub", "psycopg2"),
            cookieSecret: secrets.hexKeys["jupyterhub-cookie-secret"],
            proxyToken: secrets.passwords["jupyterhub-proxy-token"],
            client: clientEnv(settings, sparkS3, CLIENT_SERVICES),
            files: [spark.conf],
            storageSize: config.jupyterhub.storageSize,
            memoryMiB: config.jupyterhub.memoryMiB,
            cpus: config.jupyterhub.cpus,
            dependsOn: [...postgres!.workload.ready, ...spark.master.ready],
          },
          child,
        )
      : undefined;

    // What the dashboard reports on: every web service with an HTTP health endpoint.
    const healthUrls = Object.fromEntries(
      [
        minio.workload,
        spark.master,
        mlflow?.workload,
        prefect?.server,
        kafkaUi?.workload,
        jupyterhub?.workload,
      ]
        .filter((w): w is Workload => w?.healthUrl !== undefined)
        .map((w) => [w.host, w.healthUrl!]),
    );
    const streamlit = on("streamlit")
      ? new Streamlit(
          `${name}-streamlit`,
          {
            platform,
            image: runtime,
            // The dashboard reads gold and polls health URLs: the lake is all it uses.
            client: clientEnv(settings, minio.credentials("streamlit"), []),
            healthUrls,
            goldBucket: "gold",
            memoryMiB: config.streamlit.memoryMiB,
            cpus: config.streamlit.cpus,
            dependsOn: lake,
          },
          child,
        )
      : undefined;

    const workloads: (Workload | undefined)[] = [
      minio.workload,
      spark.master,
      mlflow?.workload,
      prefect?.server,
      kafka?.workload,
      kafkaUi?.workload,
      nifi?.workload,
      jupyterhub?.workload,
      streamlit?.workload,
    ];
    for (const w of workloads) Object.assign(this.urls, w?.urls ?? {});

    this.endpoints = {
      s3: minio.endpoint,
      "spark-master": spark.masterUrl,
      ...(postgres ? { postgres: `${postgres.workload.host}:5432` } : {}),
      ...(settings.mlflowTrackingUri ? { mlflow: settings.mlflowTrackingUri } : {}),
      ...(settings.prefectApiUrl ? { prefect: settings.prefectApiUrl } : {}),
      ...(settings.kafkaBootstrapServers ? { kafka: settings.kafkaBootstrapServers } : {}),
    };
    this.credentials = labCredentials(secrets, {
      databases: databases.map((d) => d.name),
      identities: identities.map((i) => i.name),
      jupyterhub: !!jupyterhub,
      prefectAuth: prefect ? prefectAuth : undefined,
      kafkaUi: !!kafkaUi,
      nifi: !!nifi,
    });

    this.registerOutputs({
      urls: this.urls,
      endpoints: this.endpoints,
      credentials: this.credentials,
    });
  }
}
