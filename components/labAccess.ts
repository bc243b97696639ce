import * as pulumi from "@pulumi/pulumi";
import { SPARK_ACCESS } from "./compute/spark";
import { MEDALLION_BUCKETS, type LabConfig } from "./config";
import { LAB_SERVICES } from "./labServices";
import type { LabSecrets } from "./secrets";
import type { ServiceAccess } from "./service";
import type { ServiceModule } from "./serviceModule";
import { POSTGRES_SUPERUSER } from "./storage/postgres";

/**
 * Who may use what in the lab: databases, MinIO identities, buckets, generated passwords and the
 * credentials output, each derived from what the services declare (`ServiceAccess`, beside each
 * component) for the services that are switched on.
 */

/** The declarations of the core's Spark, then of each of `services`. */
export const accessOf = (services: readonly ServiceModule[]): readonly ServiceAccess[] => [
  SPARK_ACCESS,
  ...services.map((m) => m.access),
];

/** Every declaration of the lab. */
export const LAB_ACCESS = accessOf(LAB_SERVICES);

/** What the lab gives the services that are on. */
export interface LabAccess {
  /** Databases on the lab's PostgreSQL, one per consumer (named after it), by name. */
  readonly databases: readonly {
    name: string;
    extensions?: readonly string[];
    schemaFile?: string;
  }[];
  /** MinIO identities, one per consumer, each scoped to the buckets it needs, by name. */
  readonly identities: readonly { name: string; readWrite: string[]; readOnly: string[] }[];
  /** Every bucket: the medallion layers, those the services bring, then `minio.buckets`. */
  readonly buckets: readonly string[];
  /** Generated passwords and keys, by name. */
  readonly passwords: readonly string[];
}

const byName = <T extends { name: string }>(items: T[]) =>
  items.sort((a, b) => a.name.localeCompare(b.name));

/** Whether `service` is deployed under `config`: its toggle is on, or it has none. */
export const isOn = (service: ServiceAccess, config: LabConfig) =>
  !service.toggle || config[service.toggle].enabled;

/** What `services` (the lab's, or a test's) get under `config`. */
export function labAccess(
  config: LabConfig,
  services: readonly ServiceAccess[] = LAB_ACCESS,
): LabAccess {
  const on = services.filter((s) => isOn(s, config));
  return {
    databases: byName(
      on.flatMap((s) =>
        s.database
          ? [
              {
                name: s.name,
                ...(s.database.extensions ? { extensions: s.database.extensions } : {}),
                ...(s.database.schemaFile ? { schemaFile: s.database.schemaFile } : {}),
              },
            ]
          : [],
      ),
    ),
    identities: byName(
      on.flatMap((s) =>
        s.identity
          ? [
              {
                name: s.name,
                readWrite: [...s.identity.readWrite(config)],
                readOnly: [...(s.identity.readOnly ?? [])],
              },
            ]
          : [],
      ),
    ),
    buckets: [...MEDALLION_BUCKETS, ...on.flatMap((s) => s.buckets ?? []), ...config.minio.buckets],
    passwords: on.flatMap((s) => s.passwords ?? []),
  };
}

/** The `credentials` stack output: every login of the lab, as one secret. */
export function labCredentials(
  secrets: LabSecrets,
  config: LabConfig,
  services: readonly ServiceAccess[] = LAB_ACCESS,
): pulumi.Output<unknown> {
  const access = labAccess(config, services);
  const on = services.filter((s) => isOn(s, config));
  return pulumi.secret(
    pulumi.output({
      minio: { user: secrets.minioRootUser, password: secrets.minioRootPassword },
      postgres: { user: POSTGRES_SUPERUSER, password: secrets.postgresPassword },
      databases: Object.fromEntries(
        access.databases.map(({ name }) => [
          name,
          { user: name, password: secrets.databasePasswords[name] },
        ]),
      ),
      s3: Object.fromEntries(
        access.identities.map(({ name }) => [
          name,
          { accessKey: name, secretKey: secrets.s3SecretKeys[name] },
        ]),
      ),
      ...Object.assign({}, ...on.map((s) => s.credentials?.(secrets.passwords) ?? {})),
    }),
  );
}
