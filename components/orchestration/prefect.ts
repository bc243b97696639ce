import * as pulumi from "@pulumi/pulumi";
import { LAB_CONTENT, LAB_RUNTIME_USER } from "../images";
import { serviceFile } from "../serviceFiles";
import { pythonHttpCheck, type BuiltImage, type FileSpec, type Workload } from "../platform/types";
import type { DatabaseLink } from "../storage/postgres";
import { ADMIN, login, type Service, type ServiceAccess, type ServiceArgs } from "../service";
import type { ServiceModule } from "../serviceModule";
import { CLIENT_SERVICES, type ClientEnv } from "../clientSettings";

/**
 * Arguments for {@link Prefect}. `memoryMiB` and `cpus` are the server's; the worker's are
 * `workerMemoryMiB` and `workerCpus`. `startAfter` is what the server starts after (its
 * database); the worker waits for the server itself.
 */
export interface PrefectArgs extends ServiceArgs {
  /**
   * The lab runtime image, for the server and the worker: flows run in the worker as Spark drivers,
   * with the notebooks' Python, and the server is the same Prefect the clients use.
   */
  readonly image: BuiltImage;
  /**
   * `postgresql+asyncpg://prefect:…@postgres:5432/prefect` (secret; Prefect needs an async driver)
   * and its server.
   */
  readonly database: DatabaseLink;
  /** `admin:<password>`: the API's basic-auth string (secret). */
  readonly authString: pulumi.Input<string>;
  /** The worker's client environment: lake, Spark, MLflow, Kafka, and this API at {@link PREFECT_API_URL}. */
  readonly workerClient: ClientEnv;
  /** Files the worker mounts (spark-defaults.conf). */
  readonly workerFiles: readonly FileSpec[];
  /** Container memory limit of the worker in MiB: flows run inside it, each a Spark driver. */
  readonly workerMemoryMiB: number;
  /** CPU limit of the worker in cores. */
  readonly workerCpus: number;
}

const SERVER = "prefect-server";
const SERVER_PORT = 4200;
const WORKER_PORT = 8080;

/**
 * The API clients use. A workload's host is its service name on both platforms, so it is known
 * before anything is deployed, and the worker's environment can name it.
 */
export const PREFECT_API_URL = `http://${SERVER}:${SERVER_PORT}/api`;

/** Prefect's state directory in the lab runtime, whose user (spark) has no home directory. */
const PREFECT_HOME = "/tmp/prefect";

const WORKER_START = "/usr/local/bin/dataflow-lab-worker-start";
const DEPLOYED_MARKER = `${PREFECT_HOME}/lab-flows-deployed`;
/** Seconds between the worker's polls for runs to start; see PREFECT_WORKER_QUERY_SECONDS. */
const WORKER_QUERY_SECONDS = 5;
const workerAlive = pythonHttpCheck(`http://localhost:${WORKER_PORT}/health`);

/** Work pool the worker serves; it creates the pool if missing. */
export const WORK_POOL = "lab-pool";

/**
 * Prefect 3 server on PostgreSQL with basic auth on its API, and a process worker, both in the lab
 * runtime image.
 * @see https://docs.prefect.io/v3/manage/server/index
 * @see https://docs.prefect.io/v3/develop/settings-and-profiles#security-settings
 */
export class Prefect extends pulumi.ComponentResource implements Service {
  /** The API server's workload. */
  readonly server: Workload;
  /** The process worker's workload. */
  readonly worker: Workload;
  readonly workloads: readonly Workload[];
  /** e.g. `http://prefect-server:4200/api`. */
  readonly apiUrl: string;

  constructor(name: string, args: PrefectArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:orchestration:Prefect", name, {}, opts);
    const publish = {
      hostPort: SERVER_PORT,
      nodePort: 30420,
      scheme: "http" as const,
      urlKey: "prefect",
      // The API and the UI's calls take basic auth (PREFECT_SERVER_API_AUTH_STRING).
      login: true,
    };
    this.server = args.platform.deploy(
      {
        service: SERVER,
        image: args.image,
        command: ["prefect", "server", "start", "--host", "0.0.0.0", "--port", String(SERVER_PORT)],
        env: {
          // The image's user has no home directory.
          PREFECT_HOME: PREFECT_HOME,
          // At start the server copies its UI into a directory of its own (the base URL written
          // in), by default prefect/server/ui_build inside the installed package, which the
          // image's user cannot write: PermissionError, and the server exits. Prefect's setting
          // for exactly this (prefect/settings/models/server/ui.py, 3.4.1).
          PREFECT_SERVER_UI_STATIC_DIRECTORY: `${PREFECT_HOME}/ui_build`,
          // The URL the browser calls, so the published address, not the internal one.
          PREFECT_UI_API_URL: `${args.platform.endpoint(publish).url}/api`,
          // On by default: the server reports flow-run counts and its version to Prefect at start
          // (prefect/server/services/telemetry.py); a lab says nothing about its users' work.
          PREFECT_SERVER_ANALYTICS_ENABLED: "false",
        },
        secretEnv: {
          PREFECT_API_DATABASE_CONNECTION_URL: args.database.url,
          PREFECT_SERVER_API_AUTH_STRING: args.authString,
        },
        ports: [{ name: "http", port: SERVER_PORT, publish }],
        connects: [args.database.server],
        health: {
          // /api/health stays open when the API requires basic auth.
          command: pythonHttpCheck(`http://localhost:${SERVER_PORT}/api/health`),
          http: { path: "/api/health", port: SERVER_PORT },
          // The server migrates its database at start before the API answers.
          startPeriodSeconds: 60,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        // PREFECT_HOME (the UI build the server writes at start, its memo) is under /tmp.
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.apiUrl = PREFECT_API_URL;

    const client = args.workerClient;
    this.worker = args.platform.deploy(
      {
        service: "prefect-worker",
        image: args.image,
        // tini reaps what finished flow runs (and the deploy step) leave behind.
        entrypoint: ["/usr/bin/tini", "--"],
        command: [WORKER_START],
        env: {
          ...client.env,
          LAB_DEPLOYED_MARKER: DEPLOYED_MARKER,
          LAB_FLOWS: `${LAB_CONTENT}/flows`,
          // The pool the worker serves and creates, and where deploy.py puts the lab's flows.
          PREFECT_DEFAULT_WORK_POOL_NAME: WORK_POOL,
          PREFECT_HOME: PREFECT_HOME,
          PREFECT_WORKER_WEBSERVER_PORT: String(WORKER_PORT),
          // How often it asks for runs to start (Prefect's default 10 s): a run started from a
          // notebook or the UI waits for the next poll. Its health endpoint fails after 30 polls
          // missed, 150 s at this interval (settings/models/worker.py, workers/base.py).
          PREFECT_WORKER_QUERY_SECONDS: String(WORKER_QUERY_SECONDS),
        },
        secretEnv: client.secretEnv,
        // Flows are Spark drivers; executors call back at this address.
        ownAddressEnv: ["SPARK_LOCAL_HOSTNAME"],
        ...client.network,
        files: [
          ...args.workerFiles,
          { path: WORKER_START, content: serviceFile("prefect/worker-start.sh"), executable: true },
        ],
        health: {
          // Ready once the lab's flows are deployed and the worker polls its pool.
          command: ["sh", "-c", `test -f ${DEPLOYED_MARKER} && "$@"`, "sh", ...workerAlive],
          liveness: { command: workerAlive, http: { path: "/health", port: WORKER_PORT } },
          // Deploying the flows at start takes a while; each check starts a Python interpreter.
          intervalSeconds: 15,
          startPeriodSeconds: 60,
        },
        memoryMiB: args.workerMemoryMiB,
        cpus: args.workerCpus,
        runAs: LAB_RUNTIME_USER,
        // PREFECT_HOME, and each flow run's working directory and Spark driver scratch.
        writablePaths: ["/tmp"],
        startAfter: this.server.ready,
      },
      this,
    );
    this.workloads = [this.server, this.worker];
    this.registerOutputs({ apiUrl: this.apiUrl });
  }
}

/** `user:password` for the API's basic auth: what the UI asks for and every client sends. */
export function prefectAuthString(password: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`${ADMIN}:${password}`);
}

/** Its database (Prefect's server needs pg_trgm) and its login. */
export const PREFECT_ACCESS: ServiceAccess = {
  name: "prefect",
  toggle: "prefect",
  database: { extensions: ["pg_trgm"] },
  passwords: ["prefect-admin"],
  credentials: (p) => ({
    prefect: { ...login(p, "prefect-admin"), authString: prefectAuthString(p["prefect-admin"]) },
  }),
};

/** Prefect in the lab: its server on the lab's PostgreSQL, its worker a client of everything. */
export const PREFECT: ServiceModule = {
  access: PREFECT_ACCESS,
  endpoint: PREFECT_API_URL,
  offers: (p) => ({
    prefectApiUrl: PREFECT_API_URL,
    prefectAuthString: prefectAuthString(p["prefect-admin"]),
  }),
  deploy: (lab) =>
    new Prefect(
      `${lab.name}-prefect`,
      {
        ...lab.config.prefect,
        platform: lab.platform,
        image: lab.runtime,
        database: lab.database("prefect").link("prefect", "asyncpg"),
        // What it offers the clients (above), so server and clients share one value.
        authString: lab.settings.prefectAuthString!,
        workerClient: lab.client("spark", CLIENT_SERVICES),
        workerFiles: lab.spark.driverFiles,
        startAfter: lab.database("prefect").workload.ready,
      },
      lab.child,
    ),
};
