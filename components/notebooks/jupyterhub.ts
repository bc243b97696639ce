import * as pulumi from "@pulumi/pulumi";
import { CLIENT_SERVICES, type ClientEnv } from "../clientSettings";
import { joinNetwork, type BuiltImage, type FileSpec, type Workload } from "../platform/types";
import {
  ADMIN,
  login,
  type Service,
  type ServiceAccess,
  type StatefulServiceArgs,
} from "../service";
import type { ServiceModule } from "../serviceModule";
import { serviceFile } from "../serviceFiles";
import type { DatabaseLink } from "../storage/postgres";

/**
 * Arguments for {@link JupyterHub}. `storageSize` is the home directories' volume (the notebooks);
 * `startAfter` holds PostgreSQL and the Spark master.
 */
export interface JupyterHubArgs extends StatefulServiceArgs {
  /** The lab runtime image: notebooks are Spark drivers, so they run where the workers' Python is. */
  readonly image: BuiltImage;
  /** Login of the hub's one user, its admin; its home is `/home/<adminUser>`. */
  readonly adminUser: string;
  /** The admin's generated password: at least 32 characters (SharedPasswordAuthenticator's rule). */
  readonly adminPassword: pulumi.Input<string>;
  /** Hub database: `postgresql+psycopg2://jupyterhub:…@postgres:5432/jupyterhub` (secret) and its server. */
  readonly database: DatabaseLink;
  /**
   * A generated password from which the hub derives its 32-byte cookie secret (its SHA-256, in
   * jupyterhub_config.py). Not JPY_COOKIE_SECRET's hex: @pulumi/random's only kind whose value the
   * state keeps encrypted is RandomPassword (a RandomId's or RandomBytes' value is also its id).
   */
  readonly cookieKey: pulumi.Input<string>;
  /** Token between the hub and its proxy (CONFIGPROXY_AUTH_TOKEN). */
  readonly proxyToken: pulumi.Input<string>;
  /** What notebooks get: lake, Spark, MLflow, Prefect, Kafka. */
  readonly client: ClientEnv;
  /** Files notebooks need (spark-defaults.conf). */
  readonly files: readonly FileSpec[];
}

const PORT = 8000;
/** The lab runtime's `admin` user and group (images/lab-runtime/Dockerfile). */
const ADMIN_IDENTITY = { user: 1000, group: 1000 };

const CONFIG = "/srv/jupyterhub/jupyterhub_config.py";
const START = "/usr/local/bin/dataflow-lab-hub-start";
/** Image-level variables notebooks need besides the client settings. */
const RUNTIME_ENV = [
  "JAVA_HOME",
  "PYSPARK_PYTHON",
  "SPARK_CONF_DIR",
  "SPARK_HOME",
  // The address a notebook's driver advertises to executors.
  "SPARK_LOCAL_HOSTNAME",
];

/** Variables the spawner passes from the hub to each notebook server (it passes almost none by default). */
export function spawnerEnvKeep(client: ClientEnv): string[] {
  return [
    ...new Set([...RUNTIME_ENV, ...Object.keys(client.env), ...Object.keys(client.secretEnv)]),
  ].sort();
}

/**
 * JupyterHub for the lab's one user, its admin (the password is generated), whose notebook server
 * runs as a local process in this container, i.e. in the lab runtime, with the lab's client
 * settings. Nothing runs as root: the hub, its proxy and the notebook server are the image's
 * `admin` (uid 1000). The home directory (the notebooks) is on a kept volume.
 * @see https://jupyterhub.readthedocs.io/en/stable/reference/api/authenticators.html#jupyterhub.authenticators.shared.SharedPasswordAuthenticator
 */
export class JupyterHub extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];

  constructor(name: string, args: JupyterHubArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:notebooks:JupyterHub", name, {}, opts);
    this.workload = args.platform.deploy(
      {
        service: "jupyterhub",
        image: args.image,
        // tini reaps the kernels and driver JVMs that notebook servers leave behind.
        entrypoint: ["/usr/bin/tini", "--"],
        command: [START],
        ownAddressEnv: ["SPARK_LOCAL_HOSTNAME"],
        env: {
          ...args.client.env,
          HUB_ADMIN_USER: args.adminUser,
          LAB_SPAWNER_ENV_KEEP: spawnerEnvKeep(args.client).join(" "),
        },
        secretEnv: {
          ...args.client.secretEnv,
          CONFIGPROXY_AUTH_TOKEN: args.proxyToken,
          HUB_ADMIN_PASSWORD: args.adminPassword,
          HUB_COOKIE_KEY: args.cookieKey,
          JUPYTERHUB_DB_URL: args.database.url,
        },
        ports: [
          {
            name: "http",
            port: PORT,
            publish: {
              hostPort: PORT,
              nodePort: 30800,
              scheme: "http",
              urlKey: "jupyterhub",
              login: true,
            },
          },
        ],
        // Notebooks are Spark drivers and clients of everything the settings name.
        ...joinNetwork(args.client.network, { connects: [args.database.server] }),
        volumes: [{ name: "home", mountPath: "/home", size: args.storageSize }],
        files: [
          ...args.files,
          { path: CONFIG, content: serviceFile("jupyterhub/jupyterhub_config.py") },
          { path: START, content: serviceFile("jupyterhub/start.sh"), executable: true },
        ],
        health: {
          command: ["curl", "-fsS", `http://localhost:${PORT}/hub/health`],
          http: { path: "/hub/health", port: PORT },
          // start.sh sets up the admin's account and examples, then the hub starts its proxy.
          startPeriodSeconds: 60,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        // The image's `admin` (images/lab-runtime/Dockerfile), who owns the homes, on Docker too
        // (the image's USER is spark). The hub checks the password itself and starts the notebook
        // server as its own user, so nothing needs root (jupyterhub_config.py).
        runAs: ADMIN_IDENTITY,
        runAsOnDocker: true,
        // Besides the homes: the proxy's pid file, Spark's scratch and the kernels' temporary
        // files. A notebook's `pip install --user` goes to its home.
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.registerOutputs({});
  }
}

/** Its database, the admin's login, and the keys of its cookies and of its proxy's API. */
export const JUPYTERHUB_ACCESS: ServiceAccess = {
  name: "jupyterhub",
  toggle: "jupyterhub",
  database: {},
  passwords: ["jupyterhub-admin", "jupyterhub-cookie-secret", "jupyterhub-proxy-token"],
  credentials: (p) => ({ jupyterhub: login(p, "jupyterhub-admin") }),
};

/** JupyterHub in the lab: its database on the lab's PostgreSQL; notebooks are clients of everything. */
export const JUPYTERHUB: ServiceModule = {
  access: JUPYTERHUB_ACCESS,
  deploy: (lab) =>
    new JupyterHub(
      `${lab.name}-jupyterhub`,
      {
        ...lab.config.jupyterhub,
        platform: lab.platform,
        image: lab.runtime,
        adminUser: ADMIN,
        adminPassword: lab.passwords["jupyterhub-admin"],
        database: lab.database("jupyterhub").link("jupyterhub", "psycopg2"),
        cookieKey: lab.passwords["jupyterhub-cookie-secret"],
        proxyToken: lab.passwords["jupyterhub-proxy-token"],
        client: lab.client("spark", CLIENT_SERVICES),
        files: lab.spark.driverFiles,
        startAfter: [...lab.database("jupyterhub").workload.ready, ...lab.spark.master.ready],
      },
      lab.child,
    ),
};
