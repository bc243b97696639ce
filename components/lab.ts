import * as pulumi from "@pulumi/pulumi";
import type { ClientSettings } from "./clientSettings";
import { Spark } from "./compute/spark";
import { BRONZE, type LabConfig } from "./config";
import { IMAGES } from "./images";
import { accessOf, isOn, labAccess, labCredentials } from "./labAccess";
import { endpointsOf, memoryBudget, urlsOf, type MemoryBudget } from "./labOutputs";
import { LAB_SERVICES } from "./labServices";
import { peerAt, type Platform } from "./platform/types";
import { LabSecrets } from "./secrets";
import { needs, type Service } from "./service";
import { deployModules, offeredBy, type ServiceModule } from "./serviceModule";
import { Minio } from "./storage/minio";
import { Postgres } from "./storage/postgres";

// Logical names follow docs/architecture.md's rule ("Names"): a rename or a new parent replaces
// the resource, data and all, unless it carries an alias naming the old one.

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
 * The whole lab on one platform: its core (generated secrets, PostgreSQL, which Spark's catalog
 * always needs, MinIO with the lake, Spark), then each service module that is switched on, built
 * from the core's parts. Outputs: what a person opens (`urls`), logs in with (`credentials`), the
 * addresses inside the lab (`endpoints`) and the memory it takes, all derived from the modules
 * and the workloads they deployed.
 */
export class DataFlowLab extends pulumi.ComponentResource {
  /** Every deployed service, the core's first, in the order the lab deployed them. */
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
    const child = { parent: this };

    const access = labAccess(config, declared);
    const secrets = new LabSecrets(`${name}-secrets`, access, child);
    const postgres =
      access.databases.length > 0
        ? new Postgres(
            `${name}-postgres`,
            {
              ...config.postgres,
              platform,
              superuserPassword: secrets.postgresPassword,
              databases: secrets.databases,
            },
            child,
          )
        : undefined;

    const minio = new Minio(
      `${name}-minio`,
      {
        ...config.minio,
        platform,
        rootUser: secrets.minioRootUser,
        rootPassword: secrets.minioRootPassword,
        bucketKeeperSecret: secrets.bucketKeeperSecret,
        buckets: [...access.buckets],
        versionedBuckets: [BRONZE],
        identities: secrets.identities,
        retainOnDestroy: config.retainDataOnDestroy,
      },
      child,
    );
    const lake = [...minio.workload.ready, ...minio.lakeReady];

    // Every address is known before anything is deployed (a workload's host is its service name),
    // so what the modules offer clients is complete before the first of them exists.
    const offered = offeredBy(modules, secrets.passwords);
    const runtime = platform.image({ ...IMAGES.labRuntime, prebuilt: config.images.lab }, this);
    const spark = new Spark(
      `${name}-spark`,
      {
        ...config.spark,
        platform,
        image: runtime,
        s3Endpoint: minio.endpoint,
        s3: minio.credentials("spark"),
        authSecret: secrets.passwords["spark-auth"],
        catalog: needs(postgres, "postgres", "spark").connection("spark"),
        memoryMiB: config.spark.masterMemoryMiB,
        cpus: config.spark.masterCpus,
        // Structured streaming's executors read the topics.
        executorPeers: offered.kafkaBootstrapServers ? [peerAt(offered.kafkaBootstrapServers)] : [],
        lineage: offered.lineage,
        startAfter: lake,
      },
      child,
    );
    const settings: ClientSettings = {
      ...offered,
      sparkMasterUrl: spark.masterUrl,
      sparkDriver: spark.driver,
      s3Endpoint: minio.endpoint,
    };

    this.services = deployModules(
      modules,
      {
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
        postgres,
      },
      [...(postgres ? [postgres] : []), minio, spark],
    );
    platform.isolate(this);
    const workloads = this.services.flatMap((s) => s.workloads);
    this.urls = urlsOf(workloads);
    this.memoryLimitMiB = memoryBudget(workloads);
    this.endpoints = endpointsOf(
      { s3: minio.endpoint, "spark-master": spark.masterUrl, postgres: postgres?.address },
      modules,
    );
    this.credentials = labCredentials(secrets, config, declared);

    this.registerOutputs({
      urls: this.urls,
      endpoints: this.endpoints,
      credentials: this.credentials,
      memoryLimitMiB: this.memoryLimitMiB,
    });
  }
}
