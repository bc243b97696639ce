import * as pulumi from "@pulumi/pulumi";
import { LAB_RUNTIME_USER } from "../images";
import {
  peerAt,
  pythonHttpCheck,
  type BuiltImage,
  type ExternalEndpoint,
  type Workload,
} from "../platform/types";
import { MLFLOW_BUCKET } from "../config";
import { ADMIN, login, type Service, type ServiceAccess, type ServiceArgs } from "../service";
import type { ServiceModule } from "../serviceModule";
import { serviceFile } from "../serviceFiles";
import type { S3Credentials } from "../storage/minio";
import type { DatabaseLink } from "../storage/postgres";

/** A login of MLflow's basic-auth: its store holds it, set from these values at every start. */
export interface MlflowLogin {
  readonly username: string;
  readonly password: pulumi.Input<string>;
  /** Admins manage users and every experiment; others own what they create and read the rest. */
  readonly admin: boolean;
}

/** Arguments for {@link Mlflow}. `startAfter` holds PostgreSQL and the lake. */
export interface MlflowArgs extends ServiceArgs {
  /** The lab runtime image (MLflow 3 with psycopg2 and boto3, the notebooks' very MLflow). */
  readonly image: BuiltImage;
  /** Backend store: `postgresql+psycopg2://mlflow:…@postgres:5432/mlflow` (secret) and its server. */
  readonly backendStore: DatabaseLink;
  /** S3 API inside the lab, e.g. `http://minio:9000`. */
  readonly s3Endpoint: string;
  /** MLflow's own identity, scoped to the artifact bucket. */
  readonly s3: S3Credentials;
  /** Bucket holding the artifacts. */
  readonly artifactBucket: string;
  /** The logins (an admin among them); MLflow asks every request but `/health` for one. */
  readonly logins: readonly MlflowLogin[];
  /** Signs the login app's CSRF tokens and sessions (secret; the same in every worker). */
  readonly flaskSecretKey: pulumi.Input<string>;
}

const SERVICE = "mlflow";
const PORT = 5000;
const AUTH_CONFIG = "/etc/mlflow/basic_auth.ini";
const USERS_FILE = "/etc/mlflow/lab-users.json";
const ENSURE_USERS = "/etc/mlflow/ensure-users.py";
/** Behind MLflow's basic-auth app: every request but /health asks for a login. */
const PUBLISH = {
  hostPort: PORT,
  nodePort: 30500,
  scheme: "http",
  urlKey: "mlflow",
  login: true,
} as const;

/**
 * MLflow's basic_auth.ini: its users in the tracking store's database, READ for what a user does
 * not own. The admin comes from the environment (MLFLOW_AUTH_ADMIN_*), which wins over this file.
 */
export function authConfig(databaseUri: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`[mlflow]
default_permission = READ
database_uri = ${databaseUri}
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
`;
}

/**
 * Host headers MLflow answers (MLFLOW_SERVER_ALLOWED_HOSTS, fnmatch patterns): the service's name
 * inside the lab, where it is published, and loopback on any port (a port forward).
 */
export function allowedHosts(service: string, published: ExternalEndpoint): string[] {
  const hosts = [
    service,
    `${service}:${PORT}`,
    published.host,
    `${published.host}:${published.port}`,
    "localhost:*",
    "127.0.0.1:*",
  ];
  return [...new Set(hosts)];
}

/**
 * MLflow tracking server on PostgreSQL, proxying artifacts to MinIO (`--serve-artifacts`), so
 * clients need only the tracking URI, never S3 keys.
 *
 * MLflow 3 answers only requests whose Host header it allows (its DNS-rebinding protection):
 * by default localhost and private IP addresses, so a client that calls it by its service name
 * (`mlflow:5000`) would get 403. The list names the service and every address it is published at.
 * Its database is migrated on each start (`mlflow db upgrade`, a no-op when current): the server
 * refuses a schema of an older MLflow, such as a kept volume of MLflow 2.
 *
 * Its login is on (`--app-name basic-auth`): users in the same database (MLflow's auth tables and
 * their own Alembic version table beside the tracking store's), every request but `/health` asked
 * for a password, `default_permission = READ` (a user owns what it creates and reads the rest).
 * The logins are written into the store before each start (services/mlflow/ensure-users.py), so
 * they always hold the stack's generated passwords, on kept data too.
 * @see https://mlflow.org/docs/latest/self-hosting/security/basic-http-auth/
 * @see https://mlflow.org/docs/latest/self-hosting/architecture/tracking-server/
 */
export class Mlflow extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];
  /** e.g. `http://mlflow:5000`. */
  readonly trackingUri: string;

  constructor(name: string, args: MlflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:ml:Mlflow", name, {}, opts);
    const admin = args.logins.find((l) => l.admin);
    if (!admin) throw new pulumi.ResourceError("MLflow needs an admin among its logins", this);
    this.workload = args.platform.deploy(
      {
        service: SERVICE,
        image: args.image,
        // `mlflow server` would be PID 1 (the image's entrypoint execs its command), where a
        // Python process without a SIGTERM handler ignores the signal: every stop would wait out
        // the grace and end in SIGKILL (seen in the real-services suite). tini passes the signal
        // on, to the server's process group (its web workers too).
        entrypoint: ["/usr/bin/tini", "-g", "--"],
        command: [
          "sh",
          "-c",
          `mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI" && python3 ${ENSURE_USERS} && exec "$@"`,
          "sh",
          "mlflow",
          "server",
          "--app-name",
          "basic-auth",
          "--host",
          "0.0.0.0",
          "--port",
          String(PORT),
          "--workers",
          "1",
          "--serve-artifacts",
          "--artifacts-destination",
          `s3://${args.artifactBucket}`,
        ],
        env: {
          AWS_ACCESS_KEY_ID: args.s3.accessKey,
          MLFLOW_S3_ENDPOINT_URL: args.s3Endpoint,
          MLFLOW_SERVER_ALLOWED_HOSTS: allowedHosts(SERVICE, args.platform.endpoint(PUBLISH)).join(
            ",",
          ),
          MLFLOW_AUTH_CONFIG_PATH: AUTH_CONFIG,
          LAB_MLFLOW_USERS_FILE: USERS_FILE,
          MLFLOW_AUTH_ADMIN_USERNAME: admin.username,
          // MLflow 3's job runner (GenAI scorers and evaluations, which the lab does not use)
          // starts about nine Huey consumer processes of some 250 MB each: measured, 2.2 GB beside
          // a server of 520 MB, and the real-services suite saw MLflow killed for memory at 1 GiB.
          MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
        },
        // The store URI holds a password, so it travels as a secret env var, not an argument.
        secretEnv: {
          AWS_SECRET_ACCESS_KEY: args.s3.secretKey,
          MLFLOW_BACKEND_STORE_URI: args.backendStore.url,
          MLFLOW_FLASK_SERVER_SECRET_KEY: args.flaskSecretKey,
          // The server's own bootstrap needs it, though ensure-users.py has set the admin already.
          MLFLOW_AUTH_ADMIN_PASSWORD: admin.password,
        },
        files: [
          { path: AUTH_CONFIG, content: authConfig(args.backendStore.url), secret: true },
          {
            path: USERS_FILE,
            content: pulumi.jsonStringify(
              args.logins.map((l) => ({
                username: l.username,
                password: l.password,
                admin: l.admin,
              })),
            ),
            secret: true,
          },
          { path: ENSURE_USERS, content: serviceFile("mlflow/ensure-users.py") },
        ],
        ports: [
          {
            name: "http",
            port: PORT,
            publish: PUBLISH,
          },
        ],
        connects: [args.backendStore.server, peerAt(args.s3Endpoint)],
        health: {
          command: pythonHttpCheck(`http://localhost:${PORT}/health`),
          http: { path: "/health", port: PORT },
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        // Uploads spooled by the server and its workers' temporary files.
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.trackingUri = `http://${this.workload.host}:${PORT}`;
    this.registerOutputs({ trackingUri: this.trackingUri });
  }
}

/** MLflow's login of the notebooks and flows: not an admin, it owns the experiments it creates. */
export const MLFLOW_LAB_USER = "lab";

/** Where the lab's clients find it: its service name is its host on both platforms. */
export const MLFLOW_TRACKING_URI = `http://${SERVICE}:${PORT}`;

/** Its database, its artifact bucket and an identity for that bucket only, its logins. */
export const MLFLOW_ACCESS: ServiceAccess = {
  name: "mlflow",
  toggle: "mlflow",
  database: {},
  identity: { readWrite: () => [MLFLOW_BUCKET] },
  buckets: [MLFLOW_BUCKET],
  passwords: ["mlflow-admin", "mlflow-lab", "mlflow-flask-secret"],
  credentials: (p) => ({
    mlflow: { ...login(p, "mlflow-admin"), lab: login(p, "mlflow-lab", MLFLOW_LAB_USER) },
  }),
};

/** MLflow in the lab: its store in the lab's PostgreSQL, its artifacts in the lake. */
export const MLFLOW: ServiceModule = {
  access: MLFLOW_ACCESS,
  endpoint: MLFLOW_TRACKING_URI,
  // The notebooks' and flows' login: one of MLflow's logins, and the clients' setting.
  offers: (p) => ({
    mlflowTrackingUri: MLFLOW_TRACKING_URI,
    mlflowLogin: { username: MLFLOW_LAB_USER, password: p["mlflow-lab"] },
  }),
  deploy: (lab) =>
    new Mlflow(
      `${lab.name}-mlflow`,
      {
        ...lab.config.mlflow,
        platform: lab.platform,
        image: lab.runtime,
        backendStore: lab.database("mlflow").link("mlflow", "psycopg2"),
        s3Endpoint: lab.minio.endpoint,
        s3: lab.minio.credentials("mlflow"),
        artifactBucket: MLFLOW_BUCKET,
        logins: [
          { username: ADMIN, password: lab.passwords["mlflow-admin"], admin: true },
          // The clients' login it offers (above).
          { ...lab.settings.mlflowLogin!, admin: false },
        ],
        flaskSecretKey: lab.passwords["mlflow-flask-secret"],
        startAfter: [...lab.database("mlflow").workload.ready, ...lab.lake],
      },
      lab.child,
    ),
};
