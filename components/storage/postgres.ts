import * as pulumi from "@pulumi/pulumi";
import { peerAt, type Peer, type Workload } from "../platform/types";
import type { Service, StatefulServiceArgs } from "../service";
import { postgresMajor } from "../config/formats";
import { serviceFile } from "../serviceFiles";
import { DynamicProvider } from "./lakeBucket";
import { PostgresDataVersion } from "./postgresDataVersion";

/** One consumer's database: a role and a database of the same name. */
export interface DatabaseSpec {
  /** Role and database name (lower-case letters, digits, '_'). */
  readonly name: string;
  /** Generated password of the role. */
  readonly password: pulumi.Input<string>;
  /** Extensions created in the database, e.g. `pg_trgm` for Prefect. @default [] */
  readonly extensions?: readonly string[];
  /**
   * The schema the health check creates, as the database's role and in one transaction, while the
   * database has no tables: a file under services/, for a consumer that does not create its own
   * (Spark's Hive metastore client only checks the schema's version).
   */
  readonly schemaFile?: string;
}

/** Arguments for {@link Postgres}. */
export interface PostgresArgs extends StatefulServiceArgs {
  /**
   * PostgreSQL 16 or 17 image; 18 moved PGDATA to /var/lib/postgresql/18/docker.
   * @see https://github.com/docker-library/docs/blob/master/postgres/README.md
   */
  readonly image: string;
  /** Let the image's major differ from the one the kept data was written by (moved by hand). */
  readonly allowMajorChange?: boolean;
  /** Generated password of the `postgres` superuser (used only by the health check). */
  readonly superuserPassword: pulumi.Input<string>;
  /** The consumers' databases. */
  readonly databases: readonly DatabaseSpec[];
}

/** How a consumer reaches its database. */
/** A consumer's database: its SQLAlchemy URL (secret) and the server it connects to. */
export interface DatabaseLink {
  readonly url: pulumi.Output<string>;
  readonly server: Peer;
}

export interface DatabaseConnection {
  /** Server host inside the lab (`postgres`). */
  readonly host: string;
  /** Server port ({@link POSTGRES_PORT}). */
  readonly port: number;
  /** Database name, the consumer's name. */
  readonly database: string;
  /** Role name, the same as the database's. */
  readonly user: string;
  /** The role's generated password (secret). */
  readonly password: pulumi.Output<string>;
}

/** PostgreSQL's port inside the lab. */
export const POSTGRES_PORT = 5432;
/** The superuser the image creates (POSTGRES_USER); only the health check logs in as it. */
export const POSTGRES_SUPERUSER = "postgres";
const DATA = "/var/lib/postgresql/data";
const HEALTH_SCRIPT = "/usr/local/bin/dataflow-lab-ensure-databases";
/** The superuser's password, and each database's (one file each, named after it). */
const SUPERUSER_PASSWORD_FILE = "/run/secrets/postgres/superuser-password";
const DB_PASSWORD_DIR = "/run/secrets/postgres/databases";
/** Each declared schema, as `<database>.sql`. */
const DB_SCHEMA_DIR = "/etc/dataflow-lab/postgres/schemas";

/**
 * The lab's metadata database server: one PostgreSQL with a role and database per consumer
 * (MLflow, Prefect, JupyterHub), each with its own generated password.
 */
export class Postgres extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];
  /** `host:port` inside the lab, e.g. `postgres:5432`. */
  readonly address: string;
  private readonly databases: ReadonlyMap<string, DatabaseSpec>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:storage:Postgres", name, {}, opts);
    const names = args.databases.map((d) => d.name);
    for (const n of names) {
      if (!/^[a-z][a-z0-9_]{0,62}$/.test(n) || n === POSTGRES_SUPERUSER) {
        throw new pulumi.ResourceError(`database name ${JSON.stringify(n)} is not allowed`, this);
      }
    }
    this.databases = new Map(args.databases.map((d) => [d.name, d]));
    const major = postgresMajor(args.image);
    if (major === undefined) {
      throw new pulumi.ResourceError(`${args.image} names no PostgreSQL major version`, this);
    }
    const dataVersion = new PostgresDataVersion(
      "postgres-data-version",
      { major, allowMajorChange: args.allowMajorChange ?? false },
      { parent: this, provider: new DynamicProvider(`${name}-data-version`, { parent: this }) },
    );
    const sorted = [...args.databases].sort((a, b) => a.name.localeCompare(b.name));

    this.workload = args.platform.deploy(
      {
        service: "postgres",
        image: args.image,
        env: {
          // A subdirectory, because a fresh ext4 volume holds lost+found and initdb refuses it.
          PGDATA: `${DATA}/pgdata`,
          POSTGRES_USER: POSTGRES_SUPERUSER,
          // The image's entrypoint reads it (file_env in docker-entrypoint.sh), and so does the
          // health check; LAB_DB_PASSWORD_DIR holds a file per database, named after it.
          // @see https://github.com/docker-library/postgres/blob/master/17/bookworm/docker-entrypoint.sh
          POSTGRES_PASSWORD_FILE: SUPERUSER_PASSWORD_FILE,
          LAB_DB_PASSWORD_DIR: DB_PASSWORD_DIR,
          ...(sorted.some((d) => d.schemaFile) ? { LAB_DB_SCHEMA_DIR: DB_SCHEMA_DIR } : {}),
          LAB_DATABASES: sorted.map((d) => d.name).join(" "),
          ...Object.fromEntries(
            sorted
              .filter((d) => (d.extensions ?? []).length > 0)
              .map((d) => [
                `LAB_DB_EXTENSIONS_${d.name.toUpperCase()}`,
                [...d.extensions!].sort().join(" "),
              ]),
          ),
        },
        ports: [{ name: "postgres", port: POSTGRES_PORT }],
        volumes: [{ name: "data", mountPath: DATA, size: args.storageSize }],
        files: [
          { path: SUPERUSER_PASSWORD_FILE, content: args.superuserPassword, secret: true },
          ...sorted.map((d) => ({
            path: `${DB_PASSWORD_DIR}/${d.name}`,
            content: d.password,
            secret: true,
          })),
          ...sorted
            .filter((d) => d.schemaFile)
            .map((d) => ({
              path: `${DB_SCHEMA_DIR}/${d.name}.sql`,
              content: serviceFile(d.schemaFile!),
            })),
          {
            path: HEALTH_SCRIPT,
            content: serviceFile("postgres/ensure-databases.sh"),
            executable: true,
          },
        ],
        health: {
          command: [HEALTH_SCRIPT],
          liveness: {
            command: ["pg_isready", "-q", "-h", "127.0.0.1", "-U", POSTGRES_SUPERUSER],
          },
          // Every database consumer waits for this check (which creates their roles); the start
          // interval of health.ts polls it until it passes.
        },
        // The image stops it with SIGINT (a fast shutdown that flushes to disk); its Dockerfile
        // warns that SIGKILL "is likely to cause data corruption" and that 10 s, Docker's default,
        // may be too short. Stopping sooner is not waited for.
        stopGraceSeconds: 90,
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        // uid/gid 999 is the image's `postgres` user; the entrypoint skips its gosu step when not root.
        runAs: { user: 999, group: 999 },
        // Besides PGDATA: the socket directory the image makes for the server, and /tmp (this
        // health check's state file, the entrypoint's nss_wrapper files).
        // @see https://github.com/docker-library/postgres/blob/master/17/bookworm/Dockerfile
        writablePaths: ["/var/run/postgresql", "/tmp"],
        // Nothing of the server's is created or replaced before a major change is refused.
        startAfter: [dataVersion, ...(args.startAfter ?? [])],
      },
      this,
    );
    this.workloads = [this.workload];
    this.address = `${this.workload.host}:${POSTGRES_PORT}`;
    this.registerOutputs({ host: this.workload.host });
  }

  /** Connection details of one consumer's database; the password stays secret. */
  connection(database: string): DatabaseConnection {
    const db = this.databases.get(database);
    if (!db) {
      throw new pulumi.ResourceError(`no database ${JSON.stringify(database)} was declared`, this);
    }
    return {
      host: this.workload.host,
      port: POSTGRES_PORT,
      database: db.name,
      user: db.name,
      password: pulumi.secret(pulumi.output(db.password)),
    };
  }

  /** One consumer's database as its service is handed it: the URL and the server it connects to. */
  link(database: string, driver: "psycopg2" | "asyncpg"): DatabaseLink {
    return { url: this.url(database, driver), server: peerAt(this.address) };
  }

  /**
   * SQLAlchemy URL naming its driver, e.g. `postgresql+asyncpg://prefect:…@postgres:5432/prefect`
   * (secret). The driver is always explicit: SQLAlchemy 2.1 makes a bare `postgresql://` mean
   * psycopg 3, which the lab runtime does not carry.
   * @see https://docs.sqlalchemy.org/en/21/changelog/migration_21.html
   */
  url(database: string, driver: "psycopg2" | "asyncpg"): pulumi.Output<string> {
    const c = this.connection(database);
    return pulumi.secret(
      pulumi.interpolate`postgresql+${driver}://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`,
    );
  }
}
