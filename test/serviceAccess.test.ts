/**
 * What the lab gives each service is derived from what the services declare (`ServiceAccess`,
 * beside each component): a service added with its declaration appears in every derived list, and
 * one switched off in none (test/serviceModule.test.ts deploys such a service on both stacks).
 */
import * as pulumi from "@pulumi/pulumi";
import { GOLD, parseConfig } from "../components/config";
import { LAB_ACCESS, labAccess, labCredentials } from "../components/labAccess";
import type { LabSecrets } from "../components/secrets";
import { login, type ServiceAccess } from "../components/service";

/** A service the lab does not have: a BI tool with a database, a read-only identity and a login. */
const SUPERSET: ServiceAccess = {
  name: "superset",
  database: { extensions: ["pg_stat_statements"] },
  identity: { readWrite: () => [], readOnly: [GOLD] },
  buckets: ["superset-exports"],
  passwords: ["superset-admin", "superset-secret-key"],
  credentials: (p) => ({ superset: login(p, "superset-admin") }),
};
const WITH_FIXTURE = [...LAB_ACCESS, SUPERSET];
const config = (c: Record<string, unknown> = {}) => parseConfig(c, "dev");

/** LabSecrets' outputs for `access`, each value its own name (what labCredentials reads). */
function secretsFor(access: ReturnType<typeof labAccess>): LabSecrets {
  const named = (names: readonly string[], prefix = "") =>
    Object.fromEntries(names.map((n) => [n, pulumi.output(`${prefix}${n}`)]));
  return {
    minioRootUser: pulumi.output("root"),
    minioRootPassword: pulumi.output("root-password"),
    postgresPassword: pulumi.output("postgres"),
    databasePasswords: named(
      access.databases.map((d) => d.name),
      "db-",
    ),
    s3SecretKeys: named(
      access.identities.map((i) => i.name),
      "s3-",
    ),
    passwords: named(access.passwords),
  } as unknown as LabSecrets;
}

const resolved = (o: pulumi.Output<unknown>) =>
  new Promise<Record<string, unknown>>((r) => o.apply((v) => r(v as Record<string, unknown>)));

describe("the lab's lists, derived from the services' declarations", () => {
  it("a service added with its declaration is in every list: database, identity, bucket, passwords, credentials", async () => {
    const access = labAccess(config(), WITH_FIXTURE);
    expect(access.databases).toContainEqual({
      name: "superset",
      extensions: ["pg_stat_statements"],
    });
    expect(access.identities).toContainEqual({
      name: "superset",
      readWrite: [],
      readOnly: ["gold"],
    });
    expect(access.buckets).toContain("superset-exports");
    expect(access.passwords).toEqual(
      expect.arrayContaining(["superset-admin", "superset-secret-key"]),
    );
    const credentials = await resolved(labCredentials(secretsFor(access), config(), WITH_FIXTURE));
    expect(credentials.superset).toEqual({ user: "admin", password: "superset-admin" });
    expect((credentials.databases as Record<string, unknown>).superset).toEqual({
      user: "superset",
      password: "db-superset",
    });
    expect((credentials.s3 as Record<string, unknown>).superset).toEqual({
      accessKey: "superset",
      secretKey: "s3-superset",
    });
  });

  it("a service switched off is in none of them", async () => {
    const off = config({ mlflow: { enabled: false } });
    const access = labAccess(off);
    expect(access.databases.map((d) => d.name)).toEqual([
      "jupyterhub",
      "lineage",
      "prefect",
      "spark",
    ]);
    expect(access.identities.map((i) => i.name)).toEqual(["nifi", "spark", "streamlit"]);
    expect(access.buckets).not.toContain("mlflow");
    expect(access.passwords.filter((p) => p.startsWith("mlflow"))).toEqual([]);
    expect(Object.keys(await resolved(labCredentials(secretsFor(access), off)))).not.toContain(
      "mlflow",
    );
  });

  it("the lab's own: each consumer's database and identity, the buckets, every password, by name", () => {
    const access = labAccess(config({ minio: { buckets: ["raw-events"] } }));
    expect(access.databases).toEqual([
      { name: "jupyterhub" },
      { name: "lineage", schemaFile: "postgres/lineage-schema.sql" },
      { name: "mlflow" },
      { name: "prefect", extensions: ["pg_trgm"] },
      { name: "spark", schemaFile: "postgres/hive-metastore-schema.sql" },
    ]);
    expect(access.identities).toEqual([
      { name: "mlflow", readWrite: ["mlflow"], readOnly: [] },
      { name: "nifi", readWrite: ["bronze"], readOnly: [] },
      { name: "spark", readWrite: ["bronze", "silver", "gold", "raw-events"], readOnly: [] },
      { name: "streamlit", readWrite: [], readOnly: ["gold"] },
    ]);
    expect(access.buckets).toEqual(["bronze", "silver", "gold", "mlflow", "raw-events"]);
    expect([...access.passwords].sort()).toEqual([
      "jupyterhub-admin",
      "jupyterhub-cookie-secret",
      "jupyterhub-proxy-token",
      "kafka-ui-admin",
      "lineage-api-key",
      "mlflow-admin",
      "mlflow-flask-secret",
      "mlflow-lab",
      "nifi-admin",
      "prefect-admin",
      "spark-auth",
      "spark-thrift-admin",
    ]);
  });

  it("names are unique: no two services share a name, a password or a credentials key", () => {
    const names = LAB_ACCESS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    const passwords = LAB_ACCESS.flatMap((s) => s.passwords ?? []);
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});
