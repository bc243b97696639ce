import * as pulumi from "@pulumi/pulumi";
import { LAB_RUNTIME_USER } from "../images";
import { pythonHttpCheck, type BuiltImage, type Workload } from "../platform/types";
import type { Service, ServiceAccess, ServiceArgs } from "../service";
import type { ServiceModule } from "../serviceModule";
import { serviceFile } from "../serviceFiles";
import type { DatabaseLink } from "../storage/postgres";

/** Arguments for {@link Lineage}. `startAfter` holds its database. */
export interface LineageArgs extends ServiceArgs {
  /** The lab runtime image: the receiver's Starlette, uvicorn, SQLAlchemy and psycopg2. */
  readonly image: BuiltImage;
  /** `postgresql+psycopg2://lineage:…@postgres:5432/lineage` (secret) and its server. */
  readonly database: DatabaseLink;
  /** The key every call but /health takes (`Authorization: Bearer <key>`), senders and readers. */
  readonly apiKey: pulumi.Input<string>;
}

const SERVICE = "lineage";
/** Marquez's API port, the one OpenLineage's examples send to. */
const PORT = 5000;
const RECEIVER = "/opt/dataflow-lab/lineage/receiver.py";
/** Its secrets, one file each, readable by its user and group only. */
const DATABASE_URL_FILE = "/run/secrets/lineage/database-url";
const API_KEY_FILE = "/run/secrets/lineage/api-key";

/** Where OpenLineage events go inside the lab: the receiver speaks Marquez's write API. */
export const LINEAGE_URL = `http://${SERVICE}:${PORT}`;
/** The path events are posted to (Marquez's, and openlineage-spark's default). */
export const LINEAGE_ENDPOINT = "/api/v1/lineage";

/**
 * The lab's lineage service: every Spark driver (notebooks, flows, the SQL endpoint) posts its
 * OpenLineage events here, the receiver keeps them in its own database and serves the lake's
 * lineage graph, which the dashboard draws. A small lab-owned receiver (services/lineage), not
 * Marquez: Marquez's server and UI are on no registry the lab's tests reach, and the events are
 * OpenLineage's own, so Marquez can take its place by URL.
 * @see https://openlineage.io/docs/integrations/spark/configuration/transport
 */
export class Lineage extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];

  constructor(name: string, args: LineageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:governance:Lineage", name, {}, opts);
    this.workload = args.platform.deploy(
      {
        service: SERVICE,
        image: args.image,
        command: ["python3", RECEIVER],
        env: {
          LINEAGE_PORT: String(PORT),
          LINEAGE_DATABASE_URL_FILE: DATABASE_URL_FILE,
          LINEAGE_API_KEY_FILE: API_KEY_FILE,
        },
        // Inside the lab only: the dashboard draws the graph; its API takes the key.
        ports: [{ name: "http", port: PORT }],
        connects: [args.database.server],
        files: [
          { path: RECEIVER, content: serviceFile("lineage/receiver.py") },
          { path: DATABASE_URL_FILE, content: args.database.url, secret: true },
          { path: API_KEY_FILE, content: args.apiKey, secret: true },
        ],
        health: {
          // Answers once its table (which PostgreSQL's check creates) can be read.
          command: pythonHttpCheck(`http://localhost:${PORT}/health`),
          http: { path: "/health", port: PORT },
          // One Python process that answers within seconds: a failed start shows sooner.
          startPeriodSeconds: 20,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        // Python's temporary files only; the events are in PostgreSQL.
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.registerOutputs({});
  }
}

/** Its database (with its table) and the key its senders and readers share. */
export const LINEAGE_ACCESS: ServiceAccess = {
  name: SERVICE,
  toggle: "lineage",
  database: { schemaFile: "postgres/lineage-schema.sql" },
  passwords: ["lineage-api-key"],
  credentials: (p) => ({ lineage: { apiKey: p["lineage-api-key"] } }),
};

/**
 * Lineage in the lab: what it offers is where Spark's drivers send events (every driver's
 * spark-defaults.conf) and the key, so the lab knows both before anything is deployed.
 */
export const LINEAGE: ServiceModule = {
  access: LINEAGE_ACCESS,
  endpoint: `${LINEAGE_URL}${LINEAGE_ENDPOINT}`,
  offers: (p) => ({
    lineage: { url: LINEAGE_URL, endpoint: LINEAGE_ENDPOINT, apiKey: p["lineage-api-key"] },
  }),
  deploy: (lab) =>
    new Lineage(
      `${lab.name}-lineage`,
      {
        ...lab.config.lineage,
        platform: lab.platform,
        image: lab.runtime,
        database: lab.database("lineage").link("lineage", "psycopg2"),
        apiKey: lab.settings.lineage!.apiKey,
        startAfter: lab.database("lineage").workload.ready,
      },
      lab.child,
    ),
};
