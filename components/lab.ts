import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_BUCKETS, MEDALLION_BUCKETS, type LabConfig } from "./config";
import type { Platform } from "./platform/types";
import { LabSecrets } from "./secrets";
import { Minio } from "./storage/minio";
import { Postgres, type DatabaseSpec } from "./storage/postgres";

/** Arguments for {@link DataFlowLab}. */
export interface DataFlowLabArgs {
  readonly config: LabConfig;
  /** Where the workloads run (a DockerPlatform or a KubernetesPlatform). */
  readonly platform: Platform;
}

/** Databases on the lab's PostgreSQL, one per consumer; Prefect needs pg_trgm. */
export const DATABASES: readonly { name: string; extensions?: string[] }[] = [
  { name: "jupyterhub" },
  { name: "mlflow" },
  { name: "prefect", extensions: ["pg_trgm"] },
];

/**
 * MinIO identities, one per consumer, scoped to the buckets it needs. `spark` is the lab's data
 * engineering identity (Spark jobs, notebooks, flows); Streamlit only reads gold.
 */
export function identityAccess(
  extraBuckets: readonly string[],
): { name: string; readWrite: string[]; readOnly: string[] }[] {
  return [
    { name: "mlflow", readWrite: ["mlflow"], readOnly: [] },
    { name: "spark", readWrite: [...MEDALLION_BUCKETS, ...extraBuckets], readOnly: [] },
    { name: "streamlit", readWrite: [], readOnly: ["gold"] },
  ];
}

/**
 * The whole lab on one platform: secrets, the metadata database and the object store, wired
 * together. Its outputs are what a person opens (`urls`) and logs in with (`credentials`).
 */
export class DataFlowLab extends pulumi.ComponentResource {
  readonly secrets: LabSecrets;
  readonly postgres: Postgres;
  readonly minio: Minio;
  /** Service → URL a person opens. */
  readonly urls: Record<string, string>;
  /** Every login of the lab; a secret output. */
  readonly credentials: pulumi.Output<unknown>;
  /** Addresses services use inside the platform network. */
  readonly endpoints: Record<string, string>;

  constructor(name: string, args: DataFlowLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:index:Lab", name, {}, opts);
    const { config, platform } = args;
    const identities = identityAccess(config.minio.buckets);

    this.secrets = new LabSecrets(
      `${name}-secrets`,
      { databases: DATABASES.map((d) => d.name), s3Identities: identities.map((i) => i.name) },
      { parent: this },
    );

    const databases: DatabaseSpec[] = DATABASES.map((d) => ({
      ...d,
      password: this.secrets.databasePasswords[d.name],
    }));
    this.postgres = new Postgres(
      `${name}-postgres`,
      {
        platform,
        image: config.postgres.image,
        superuserPassword: this.secrets.postgresPassword,
        databases,
        storageSize: config.postgres.storageSize,
        memoryMiB: config.postgres.memoryMiB,
      },
      { parent: this },
    );

    this.minio = new Minio(
      `${name}-minio`,
      {
        platform,
        image: config.minio.image,
        rootUser: this.secrets.minioRootUser,
        rootPassword: this.secrets.minioRootPassword,
        buckets: [...MEDALLION_BUCKETS, ...INTERNAL_BUCKETS, ...config.minio.buckets],
        versionedBuckets: ["bronze"],
        identities: identities.map((i) => ({ ...i, secretKey: this.secrets.s3SecretKeys[i.name] })),
        retainOnDestroy: config.retainDataOnDestroy,
        storageSize: config.minio.storageSize,
        memoryMiB: config.minio.memoryMiB,
      },
      { parent: this },
    );

    const minioExternal = this.minio.workload.external;
    this.urls = {
      "minio-api": minioExternal.api.url,
      "minio-console": minioExternal.console.url,
    };
    this.endpoints = {
      postgres: `${this.postgres.workload.host}:5432`,
      s3: this.minio.endpoint,
    };
    this.credentials = pulumi.secret(
      pulumi.output({
        minio: { user: this.secrets.minioRootUser, password: this.secrets.minioRootPassword },
        postgres: { user: "postgres", password: this.secrets.postgresPassword },
        databases: Object.fromEntries(
          DATABASES.map((d) => [
            d.name,
            { user: d.name, password: this.secrets.databasePasswords[d.name] },
          ]),
        ),
        s3: Object.fromEntries(
          identities.map((i) => [
            i.name,
            { accessKey: i.name, secretKey: this.secrets.s3SecretKeys[i.name] },
          ]),
        ),
      }),
    );

    this.registerOutputs({
      urls: this.urls,
      endpoints: this.endpoints,
      credentials: this.credentials,
    });
  }
}
