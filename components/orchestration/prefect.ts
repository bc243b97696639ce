import * as pulumi from "@pulumi/pulumi";
import type { ClientEnv } from "../clientSettings";
import {
  pythonHttpCheck,
  type BuiltImage,
  type FileSpec,
  type Platform,
  type Workload,
} from "../platform/types";
import { SPARK_USER } from "../compute/spark";

/** Arguments for {@link Prefect}. */
export interface PrefectArgs {
  readonly platform: Platform;
  /** Server image, e.g. `prefecthq/prefect:3.4.1-python3.12`. */
  readonly serverImage: string;
  /** The lab runtime image: flows run in the worker, as Spark drivers, next to the notebooks' Python. */
  readonly workerImage: BuiltImage;
  /** `postgresql+asyncpg://prefect:…@postgres:5432/prefect` (secret; Prefect needs an async driver). */
  readonly databaseUrl: pulumi.Input<string>;
  /** `admin:<password>`: the API's basic-auth string (secret). */
  readonly authString: pulumi.Input<string>;
  /** The worker's client environment (lake, Spark, MLflow, Kafka, this API). */
  readonly workerEnv: (apiUrl: string) => ClientEnv;
  /** Files the worker mounts (spark-defaults.conf). */
  readonly workerFiles: readonly FileSpec[];
  readonly serverMemoryMiB: number;
  readonly workerMemoryMiB: number;
  /** What the server needs first (PostgreSQL). */
  readonly dependsOn: pulumi.Resource[];
}

/** Work pool the worker serves; it creates the pool if missing. */
export const WORK_POOL = "lab-pool";

/**
 * Prefect 3 server on PostgreSQL with basic auth on its API, and a process worker in the lab
 * runtime image.
 * @see https://docs.prefect.io/v3/manage/server/index
 * @see https://docs.prefect.io/v3/develop/settings-and-profiles#security-settings
 */
export class Prefect extends pulumi.ComponentResource {
  readonly server: Workload;
  readonly worker: Workload;
  /** e.g. `http://prefect-server:4200/api`. */
  readonly apiUrl: string;

  constructor(name: string, args: PrefectArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:orchestration:Prefect", name, {}, opts);
    const publish = { hostPort: 4200, nodePort: 30420, scheme: "http" as const, urlKey: "prefect" };
    this.server = args.platform.deploy(
      {
        service: "prefect-server",
        image: args.serverImage,
        command: ["prefect", "server", "start", "--host", "0.0.0.0", "--port", "4200"],
        env: {
          // The URL the browser calls, so the published address, not the internal one.
          PREFECT_UI_API_URL: `${args.platform.endpoint(publish).url}/api`,
        },
        secretEnv: {
          PREFECT_API_DATABASE_CONNECTION_URL: args.databaseUrl,
          PREFECT_SERVER_API_AUTH_STRING: args.authString,
        },
        ports: [{ name: "http", port: 4200, publish }],
        health: {
          // /api/health stays open when the API requires basic auth.
          command: pythonHttpCheck("http://localhost:4200/api/health"),
          http: { path: "/api/health", port: 4200 },
          intervalSeconds: 10,
          startPeriodSeconds: 60,
        },
        memoryMiB: args.serverMemoryMiB,
        dependsOn: args.dependsOn,
      },
      this,
    );
    this.apiUrl = `http://${this.server.host}:4200/api`;

    const client = args.workerEnv(this.apiUrl);
    this.worker = args.platform.deploy(
      {
        service: "prefect-worker",
        image: args.workerImage,
        // tini reaps what finished flow runs leave behind.
        entrypoint: ["/usr/bin/tini", "--"],
        command: [
          "prefect",
          "worker",
          "start",
          "--pool",
          WORK_POOL,
          "--type",
          "process",
          "--with-healthcheck",
        ],
        env: {
          ...client.env,
          // The image's user has no home directory.
          PREFECT_HOME: "/tmp/prefect",
          PREFECT_WORKER_WEBSERVER_PORT: "8080",
        },
        secretEnv: client.secretEnv,
        // Flows are Spark drivers; executors call back at this address.
        ownAddressEnv: ["SPARK_LOCAL_HOSTNAME"],
        files: [...args.workerFiles],
        health: {
          command: pythonHttpCheck("http://localhost:8080/health"),
          http: { path: "/health", port: 8080 },
          intervalSeconds: 15,
          startPeriodSeconds: 30,
        },
        memoryMiB: args.workerMemoryMiB,
        runAs: SPARK_USER,
        dependsOn: this.server.ready,
      },
      this,
    );
    this.registerOutputs({ apiUrl: this.apiUrl });
  }
}
