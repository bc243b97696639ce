import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_BUCKETS, MEDALLION_BUCKETS } from "./config";
import type { Toggle } from "./config/schema";
import type { LabSecrets } from "./secrets";
import { POSTGRES_SUPERUSER } from "./storage/postgres";

/** Who may use what in the lab: databases, MinIO identities, logins, and the credentials output. */

/** Databases on the lab's PostgreSQL, one per consumer (named after it); Prefect needs pg_trgm. */
export const DATABASES: readonly { name: Toggle; extensions?: string[] }[] = [
  { name: "jupyterhub" },
  { name: "mlflow" },
  { name: "prefect", extensions: ["pg_trgm"] },
];

/** The single login name of every web UI that has one (each with its own generated password). */
export const ADMIN = "admin";
/** MLflow's login of the notebooks and flows: not an admin, it owns the experiments it creates. */
export const MLFLOW_LAB_USER = "lab";

/** The medallion layers: raw data lands in bronze, the dashboard reads gold. */
export const [BRONZE, SILVER, GOLD] = MEDALLION_BUCKETS;

/** MLflow's artifact store, the only bucket its identity may use. */
export const [MLFLOW_BUCKET] = INTERNAL_BUCKETS;

/** The bucket NiFi's flow lands files in, the only one its identity may write. */
export const NIFI_LANDING_BUCKET = BRONZE;

/**
 * MinIO identities, one per consumer, scoped to the buckets it needs. `spark` is the lab's data
 * engineering identity (Spark jobs, notebooks, flows); NiFi's flow may write only to bronze;
 * Streamlit only reads gold.
 */
export function identityAccess(
  extraBuckets: readonly string[],
  enabled: { mlflow: boolean; streamlit: boolean; nifi?: boolean },
): { name: string; readWrite: string[]; readOnly: string[] }[] {
  return [
    ...(enabled.mlflow ? [{ name: "mlflow", readWrite: [MLFLOW_BUCKET], readOnly: [] }] : []),
    ...(enabled.nifi ? [{ name: "nifi", readWrite: [NIFI_LANDING_BUCKET], readOnly: [] }] : []),
    { name: "spark", readWrite: [...MEDALLION_BUCKETS, ...extraBuckets], readOnly: [] },
    ...(enabled.streamlit ? [{ name: "streamlit", readWrite: [], readOnly: [GOLD] }] : []),
  ];
}

/** Generated passwords of the services that are switched on, by name. */
export function passwordsFor(on: (t: Toggle) => boolean): string[] {
  return [
    "spark-auth",
    ...(on("jupyterhub")
      ? ["jupyterhub-admin", "jupyterhub-cookie-secret", "jupyterhub-proxy-token"]
      : []),
    ...(on("mlflow") ? ["mlflow-admin", "mlflow-lab", "mlflow-flask-secret"] : []),
    ...(on("prefect") ? ["prefect-admin"] : []),
    ...(on("kafkaUi") ? ["kafka-ui-admin"] : []),
    ...(on("nifi") ? ["nifi-admin"] : []),
  ];
}

/** The `credentials` stack output: every login of the lab, as one secret. */
export function labCredentials(
  secrets: LabSecrets,
  present: {
    databases: readonly string[];
    identities: readonly string[];
    jupyterhub: boolean;
    mlflow: boolean;
    prefectAuth?: pulumi.Output<string>;
    kafkaUi: boolean;
    nifi: boolean;
  },
): pulumi.Output<unknown> {
  const login = (password: string) => ({ user: ADMIN, password: secrets.passwords[password] });
  return pulumi.secret(
    pulumi.output({
      minio: { user: secrets.minioRootUser, password: secrets.minioRootPassword },
      postgres: { user: POSTGRES_SUPERUSER, password: secrets.postgresPassword },
      databases: Object.fromEntries(
        present.databases.map((d) => [d, { user: d, password: secrets.databasePasswords[d] }]),
      ),
      s3: Object.fromEntries(
        present.identities.map((i) => [i, { accessKey: i, secretKey: secrets.s3SecretKeys[i] }]),
      ),
      ...(present.jupyterhub ? { jupyterhub: login("jupyterhub-admin") } : {}),
      ...(present.mlflow
        ? {
            mlflow: {
              ...login("mlflow-admin"),
              lab: { user: MLFLOW_LAB_USER, password: secrets.passwords["mlflow-lab"] },
            },
          }
        : {}),
      ...(present.prefectAuth
        ? { prefect: { ...login("prefect-admin"), authString: present.prefectAuth } }
        : {}),
      ...(present.kafkaUi ? { kafkaUi: login("kafka-ui-admin") } : {}),
      ...(present.nifi ? { nifi: login("nifi-admin") } : {}),
    }),
  );
}
