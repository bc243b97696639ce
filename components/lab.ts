import * as pulumi from "@pulumi/pulumi";
import { clientEnv, type ClientSettings } from "./clientSettings";
import { Spark } from "./compute/spark";
import { BRONZE, type LabConfig } from "./config";
import { IMAGES } from "./images";
import { accessOf, isOn, labAccess, labCredentials } from "./labAccess";
import { memoryBudget, urlsOf, type MemoryBudget } from "./labOutputs";
import { LAB_SERVICES } from "./labServices";
import { peerAt, type Platform } from "./platform/types";
import { LabSecrets } from "./secrets";
import { needs, type Service } from "./service";
import type { LabParts, ServiceModule } from "./serviceModule";
import { Minio } from "./storage/minio";
import { Postgres } from "./storage/postgres";

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
  /** The services deployed on the core, in order. @default LAB_SERVICES (labServices.ts) */
  readonly services?: readonly ServiceModule[];
}

/**
 * The whole lab on one platform: its core (generated secrets, PostgreSQL when a service declares
 * a database, MinIO with the lake, Spark), then each service module that is switched on, built
 * from the core's parts. Outputs: what a person opens (`urls`), logs in with (`credentials`), the
 * addresses inside the lab (`endpoints`) and the memory it takes, all derived from the modules
 * and the workloads they deployed.
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
    const modules = (args.services ?? LAB_SERVICES).filter((m) => isOn(m.access, config));
    const declared = accessOf(modules);
    const { databases, identities, buckets, passwords } = labAccess(config, declared);
    const child = { parent: this };

    const secrets = (this.secrets = new LabSecrets(
      `${name}-secrets`,
      {
        databases: databases.map((d) => d.name),
        s3Identities: identities.map((i) => i.name),
        passwords,
      },
      child,
    ));
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

    // Every address is known before anything is deployed (a workload's host is its service name),
    // so what the modules offer clients is complete before the first of them exists.
    const offered: Partial<ClientSettings> = Object.assign(
      {},
      ...modules.map((m) => m.offers?.(secrets.passwords) ?? {}),
    );
    const runtime = platform.image({ ...IMAGES.labRuntime, prebuilt: config.images.lab }, this);
    const spark = (this.spark = new Spark(
      `${name}-spark`,
      {
        ...config.spark,
        platform,
        image: runtime,
        s3Endpoint: minio.endpoint,
        s3: minio.credentials("spark"),
        authSecret: secrets.passwords["spark-auth"],
        memoryMiB: config.spark.masterMemoryMiB,
        cpus: config.spark.masterCpus,
        // Structured streaming's executors read the topics.
        executorPeers: offered.kafkaBootstrapServers ? [peerAt(offered.kafkaBootstrapServers)] : [],
        startAfter: lake,
      },
      child,
    ));
    const settings: ClientSettings = (this.settings = {
      ...offered,
      sparkMasterUrl: spark.masterUrl,
      sparkDriver: spark.driver,
      s3Endpoint: minio.endpoint,
    });

    const core: Service[] = [...(postgres ? [postgres] : []), minio, spark];
    const byName = new Map<string, Service>();
    const deployed = [...core];
    for (const module of modules) {
      const parts: LabParts = {
        name,
        config,
        platform,
        child,
        passwords: secrets.passwords,
        runtime,
        minio,
        lake,
        spark,
        settings,
        client: (identity, uses) => clientEnv(settings, minio.credentials(identity), uses),
        database: (consumer) => needs(postgres, "postgres", consumer),
        service: (service, consumer) => needs(byName.get(service), service, consumer),
        deployed: [...deployed],
      };
      const service = module.deploy(parts);
      byName.set(module.access.name, service);
      deployed.push(service);
    }

    this.services = deployed;
    platform.isolate(this);
    const workloads = deployed.flatMap((s) => s.workloads);
    this.urls = urlsOf(workloads);
    this.memoryLimitMiB = memoryBudget(workloads);
    this.endpoints = Object.fromEntries([
      ["s3", minio.endpoint],
      ["spark-master", spark.masterUrl],
      ...(postgres ? [["postgres", postgres.address]] : []),
      ...modules.flatMap((m) => (m.endpoint ? [[m.access.name, m.endpoint]] : [])),
    ]);
    this.credentials = labCredentials(secrets, config, declared);

    this.registerOutputs({
      urls: this.urls,
      endpoints: this.endpoints,
      credentials: this.credentials,
      memoryLimitMiB: this.memoryLimitMiB,
    });
  }
}
