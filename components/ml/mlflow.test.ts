/**
 * MLflow alone on the fake platform: the WorkloadSpec it hands over and the addresses it exports,
 * from the inputs the lab would give it (test/services.test.ts checks the same service as the
 * whole program wires and realises it on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "../config";
import { Mlflow } from "./mlflow";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

/** Stand-ins for what the lab's other components hand MLflow. */
const MINIO = "http://minio:9000";
const STORE_URI = "postgresql+psycopg2://mlflow:mocksecret-db-mlflow@postgres:5432/mlflow";
const SECRET_KEY = "mocksecret-s3-mlflow";
const ADMIN_PASSWORD = "mocksecret-mlflow-admin";
const LAB_PASSWORD = "mocksecret-mlflow-lab";
const FLASK_KEY = "mocksecret-mlflow-flask";

/** MLflow's Args as the lab builds them from config: the one place to follow an API change. */
function mlflow(config: LabConfig, platform: FakePlatform, after: pulumi.Resource[]): Mlflow {
  return new Mlflow("lab-mlflow", {
    platform,
    image: platform.image({ name: "lab-runtime", dockerfile: "x", inputs: [] }),
    backendStore: { url: pulumi.secret(STORE_URI), server: { service: "postgres", port: 5432 } },
    s3Endpoint: MINIO,
    s3: { accessKey: "mlflow", secretKey: pulumi.secret(SECRET_KEY) },
    artifactBucket: "mlflow",
    logins: [
      { username: "admin", password: pulumi.secret(ADMIN_PASSWORD), admin: true },
      { username: "lab", password: pulumi.secret(LAB_PASSWORD), admin: false },
    ],
    flaskSecretKey: pulumi.secret(FLASK_KEY),
    memoryMiB: config.mlflow.memoryMiB,
    cpus: config.mlflow.cpus,
    startAfter: after,
  });
}

describe("MLflow's workload (fake platform)", () => {
  let platform: FakePlatform;
  let server: Mlflow;
  let config: LabConfig;
  let after: pulumi.Resource[];
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: server, config } = await construct("dev", {}, (c) => {
      after = [new pulumi.ComponentResource("test:index:Ready", "postgres-ready", {})];
      return mlflow(c, platform, after);
    }));
  });

  it("serves artifacts itself, proxied to s3://<artifact bucket>, on port 5000", () => {
    expect(platform.spec("mlflow").command).toEqual([
      "sh",
      "-c",
      'mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI" && python3 /etc/mlflow/ensure-users.py && exec "$@"',
      "sh",
      "mlflow",
      "server",
      "--app-name",
      "basic-auth",
      "--host",
      "0.0.0.0",
      "--port",
      "5000",
      "--workers",
      "1",
      "--serve-artifacts",
      "--artifacts-destination",
      "s3://mlflow",
    ]);
    expect(platform.spec("mlflow").ports!.map((p) => p.port)).toEqual([5000]);
  });

  it("migrates its database before it serves: a kept store of an older MLflow is upgraded, not refused", () => {
    const [shell, flag, script, , program] = platform.spec("mlflow").command!;
    expect([shell, flag, program]).toEqual(["sh", "-c", "mlflow"]);
    expect(script).toMatch(/^mlflow db upgrade "\$MLFLOW_BACKEND_STORE_URI" && /);
  });

  it("its identity and S3 address are plain env; the secret key, the store URI and the login's secrets only secretEnv", async () => {
    const spec = platform.spec("mlflow");
    expect(spec.env).toEqual({
      AWS_ACCESS_KEY_ID: "mlflow",
      MLFLOW_S3_ENDPOINT_URL: MINIO,
      MLFLOW_SERVER_ALLOWED_HOSTS:
        "mlflow,mlflow:5000,localhost,localhost:5000,localhost:*,127.0.0.1:*",
      MLFLOW_AUTH_CONFIG_PATH: "/etc/mlflow/basic_auth.ini",
      LAB_MLFLOW_USERS_FILE: "/etc/mlflow/lab-users.json",
      MLFLOW_AUTH_ADMIN_USERNAME: "admin",
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
    });
    expect(Object.keys(spec.secretEnv ?? {}).sort()).toEqual([
      "AWS_SECRET_ACCESS_KEY",
      "MLFLOW_AUTH_ADMIN_PASSWORD",
      "MLFLOW_BACKEND_STORE_URI",
      "MLFLOW_FLASK_SERVER_SECRET_KEY",
    ]);
    expect(await settle(spec.secretEnv!.AWS_SECRET_ACCESS_KEY)).toEqual({
      value: SECRET_KEY,
      secret: true,
    });
    expect(await settle(spec.secretEnv!.MLFLOW_BACKEND_STORE_URI)).toEqual({
      value: STORE_URI,
      secret: true,
    });
    // The store URI holds a password: never on the command line.
    expect(JSON.stringify(spec.command)).not.toContain("mocksecret");
  });

  it("asks for a login: basic-auth on the store's database, every login written into the store before each start, from secret files", async () => {
    const spec = platform.spec("mlflow");
    const files = Object.fromEntries(spec.files!.map((f) => [f.path, f]));
    expect(Object.keys(files).sort()).toEqual([
      "/etc/mlflow/basic_auth.ini",
      "/etc/mlflow/ensure-users.py",
      "/etc/mlflow/lab-users.json",
    ]);
    const ini = await settle(files["/etc/mlflow/basic_auth.ini"].content);
    expect(ini.secret).toBe(true);
    expect(files["/etc/mlflow/basic_auth.ini"].secret).toBe(true);
    expect(ini.value).toMatch(/^default_permission = READ$/m);
    expect(ini.value).toContain(`database_uri = ${STORE_URI}\n`);
    const users = await settle(files["/etc/mlflow/lab-users.json"].content);
    expect(files["/etc/mlflow/lab-users.json"].secret).toBe(true);
    expect(JSON.parse(users.value as string)).toEqual([
      { username: "admin", password: ADMIN_PASSWORD, admin: true },
      { username: "lab", password: LAB_PASSWORD, admin: false },
    ]);
    expect(await settle(spec.secretEnv!.MLFLOW_AUTH_ADMIN_PASSWORD)).toEqual({
      value: ADMIN_PASSWORD,
      secret: true,
    });
    expect(await settle(spec.secretEnv!.MLFLOW_FLASK_SERVER_SECRET_KEY)).toEqual({
      value: FLASK_KEY,
      secret: true,
    });
  });

  it("is healthy on /health, sized by mlflow.memoryMiB/cpus, and starts after what it is given", () => {
    const spec = platform.spec("mlflow");
    expect(spec.health.http).toEqual({ path: "/health", port: 5000 });
    expect(spec.memoryMiB).toBe(config.mlflow.memoryMiB);
    expect(spec.cpus).toBe(config.mlflow.cpus);
    expect(spec.startAfter).toEqual(after);
  });

  it("exports its tracking URI inside the lab, its published URL and its health URL", () => {
    expect(server.trackingUri).toBe("http://mlflow:5000");
    expect(server.workload.urls).toEqual({ mlflow: "http://localhost:5000" });
    expect(server.workload.healthUrl).toBe("http://mlflow:5000/health");
  });
});
