/**
 * PostgreSQL alone on the fake platform: one server with a role and database per consumer, every
 * password only in secret env, the health script that creates the consumers' roles, and the
 * connection strings consumers get (test/postgres-health.test.ts runs that script against a real
 * server; test/services.test.ts checks the server as each stack realises it).
 */
import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "../config";
import { Postgres, POSTGRES_PORT } from "./postgres";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

const IMAGE = "postgres:16.9-bookworm";
const password = (name: string) => pulumi.secret(`mocksecret-db-${name}`);

/** Postgres' Args as the lab builds them from config: the one place to follow an API change. */
function postgres(config: LabConfig, platform: FakePlatform, databases: string[]): Postgres {
  return new Postgres("lab-postgres", {
    platform,
    image: IMAGE,
    superuserPassword: password("postgres"),
    databases: databases.map((name) => ({
      name,
      password: password(name),
      ...(name === "prefect" ? { extensions: ["pg_trgm"] } : {}),
    })),
    storageSize: config.postgres.storageSize,
    memoryMiB: config.postgres.memoryMiB,
    cpus: config.postgres.cpus,
  });
}

describe("PostgreSQL's workload (fake platform)", () => {
  let platform: FakePlatform;
  let server: Postgres;
  let config: LabConfig;
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: server, config } = await construct("dev", {}, (c) =>
      // Out of order on purpose: the env lists them sorted, so a reordering changes nothing.
      postgres(c, platform, ["prefect", "mlflow", "jupyterhub"]),
    ));
  });

  it("keeps its data on one volume, sized by postgres.storageSize, under PGDATA's subdirectory", () => {
    const spec = platform.spec("postgres");
    expect(spec.volumes).toEqual([
      { name: "data", mountPath: "/var/lib/postgresql/data", size: config.postgres.storageSize },
    ]);
    expect(spec.env!.PGDATA).toBe("/var/lib/postgresql/data/pgdata");
    expect(spec.replicas).toBeUndefined();
    expect([spec.memoryMiB, spec.cpus]).toEqual([config.postgres.memoryMiB, config.postgres.cpus]);
  });

  it("names each consumer's database in plain env, and every password only in a secret file", async () => {
    const spec = platform.spec("postgres");
    expect(spec.env).toEqual({
      PGDATA: "/var/lib/postgresql/data/pgdata",
      POSTGRES_USER: "postgres",
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres/superuser-password",
      LAB_DATABASES: "jupyterhub mlflow prefect",
      LAB_DB_PASSWORD_DIR: "/run/secrets/postgres/databases",
      LAB_DB_EXTENSIONS_PREFECT: "pg_trgm",
    });
    expect(spec.secretEnv).toBeUndefined();
    const secrets = spec.files!.filter((f) => f.secret);
    expect(secrets.map((f) => f.path)).toEqual([
      "/run/secrets/postgres/superuser-password",
      "/run/secrets/postgres/databases/jupyterhub",
      "/run/secrets/postgres/databases/mlflow",
      "/run/secrets/postgres/databases/prefect",
    ]);
    expect(await settle(secrets[2].content)).toEqual({
      value: "mocksecret-db-mlflow",
      secret: true,
    });
  });

  it("is healthy once its script made every role (pg_isready only keeps it alive), as the image's non-root user", () => {
    const spec = platform.spec("postgres");
    expect(spec.health.command).toEqual(["/usr/local/bin/dataflow-lab-ensure-databases"]);
    expect(spec.files!.filter((f) => f.executable).map((f) => f.path)).toEqual([
      "/usr/local/bin/dataflow-lab-ensure-databases",
    ]);
    expect(spec.health.liveness?.command).toEqual([
      "pg_isready",
      "-q",
      "-h",
      "127.0.0.1",
      "-U",
      "postgres",
    ]);
    expect([spec.runAs, spec.root]).toEqual([{ user: 999, group: 999 }, undefined]);
  });

  it("gives each consumer a secret URL naming its driver, and refuses one it was not told of", async () => {
    expect(server.address).toBe(`postgres:${POSTGRES_PORT}`);
    expect(await settle(server.url("mlflow", "psycopg2"))).toEqual({
      value: "postgresql+psycopg2://mlflow:mocksecret-db-mlflow@postgres:5432/mlflow",
      secret: true,
    });
    expect(await settle(server.url("prefect", "asyncpg"))).toEqual({
      value: "postgresql+asyncpg://prefect:mocksecret-db-prefect@postgres:5432/prefect",
      secret: true,
    });
    expect(() => server.connection("nifi")).toThrow(/no database "nifi" was declared/);
  });

  it("refuses a database named like the superuser or not a plain identifier", async () => {
    for (const bad of ["postgres", "Mlflow", "ml-flow"]) {
      await expect(
        construct("dev", {}, (c) => postgres(c, new FakePlatform(), [bad])),
      ).rejects.toThrow(`database name "${bad}" is not allowed`);
    }
  });
});
