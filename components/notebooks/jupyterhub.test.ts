/**
 * JupyterHub alone on the fake platform: the hub's own secrets and the notebooks' client
 * credentials only in secret env, which variables its notebook servers keep (every client setting,
 * none of the hub's secrets), the admin identity it runs as on both platforms with the homes on a
 * volume, its login and connections, and its ServiceAccess (test/services.test.ts checks the same
 * service as the whole program wires it on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import { clientEnv, CLIENT_SERVICES } from "../clientSettings";
import type { LabConfig } from "../config";
import { JupyterHub, JUPYTERHUB_ACCESS } from "./jupyterhub";
import type { FileSpec } from "../platform/types";
import { ADMIN } from "../service";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

/** Stand-ins for what the lab's other components hand the hub. */
const DB_URL = "postgresql+psycopg2://jupyterhub:mocksecret-db-jupyterhub@postgres:5432/jupyterhub";
const CONF: FileSpec = { path: "/opt/spark/conf/x.conf", content: "mocksecret-conf", secret: true };
const HUB_SECRETS =
  "CONFIGPROXY_AUTH_TOKEN HUB_ADMIN_PASSWORD HUB_COOKIE_KEY JUPYTERHUB_DB_URL".split(" ");
const MASTER = { service: "spark-master", port: 7077 };
const client = clientEnv(
  {
    sparkMasterUrl: "spark://spark-master:7077",
    sparkDriver: { connects: [MASTER], callers: [], sessionPorts: [] },
    s3Endpoint: "http://minio:9000",
    mlflowTrackingUri: "http://mlflow:5000",
    mlflowLogin: { username: "lab", password: pulumi.secret("mocksecret-mlflow-lab") },
  },
  { accessKey: "spark", secretKey: pulumi.secret("mocksecret-s3-spark") },
  CLIENT_SERVICES,
);

/** JupyterHub's Args as the lab builds them from config: the one place to follow an API change. */
function jupyterhub(config: LabConfig, platform: FakePlatform, after: pulumi.Resource[]) {
  return new JupyterHub("lab-jupyterhub", {
    platform,
    image: platform.image({ name: "lab-runtime", dockerfile: "x", inputs: [] }),
    adminUser: ADMIN,
    adminPassword: pulumi.secret("mocksecret-jupyterhub-admin"),
    database: { url: pulumi.secret(DB_URL), server: { service: "postgres", port: 5432 } },
    cookieKey: pulumi.secret("mocksecret-jupyterhub-cookie-secret"),
    proxyToken: pulumi.secret("mocksecret-jupyterhub-proxy-token"),
    client,
    files: [CONF],
    storageSize: config.jupyterhub.storageSize,
    memoryMiB: config.jupyterhub.memoryMiB,
    cpus: config.jupyterhub.cpus,
    startAfter: after,
  });
}

describe("JupyterHub's workload (fake platform)", () => {
  let platform: FakePlatform;
  let hub: JupyterHub;
  let config: LabConfig;
  let after: pulumi.Resource[];
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: hub, config } = await construct("dev", {}, (c) => {
      after = [new pulumi.ComponentResource("test:index:Ready", "postgres-ready", {})];
      return jupyterhub(c, platform, after);
    }));
  });

  it("the hub's secrets and the notebooks' credentials only in secret env; no file of its own is secret", async () => {
    const spec = platform.spec("jupyterhub");
    const keys = [...Object.keys(client.secretEnv), ...HUB_SECRETS].sort();
    expect(Object.keys(spec.secretEnv!).sort()).toEqual(keys);
    expect(await settle(spec.secretEnv!.JUPYTERHUB_DB_URL)).toEqual({
      value: DB_URL,
      secret: true,
    });
    const plain = await settle({ env: spec.env, command: spec.command });
    expect(plain.secret).toBe(false);
    expect(JSON.stringify(plain.value)).not.toContain("mocksecret");
    // Only the files it is given hold a credential: its config and start script read the env.
    expect(spec.files!.filter((f) => f.secret)).toEqual([CONF]);
  });

  it("notebook servers keep every client setting and the driver's own address, none of the hub's secrets", () => {
    const spec = platform.spec("jupyterhub");
    const keep = (spec.env!.LAB_SPAWNER_ENV_KEEP as string).split(" ");
    const settings = [...Object.keys(client.env), ...Object.keys(client.secretEnv)];
    expect(keep).toEqual(expect.arrayContaining([...settings, ...spec.ownAddressEnv!]));
    expect(keep.filter((k) => HUB_SECRETS.includes(k))).toEqual([]);
  });

  it("runs as the image's admin (1000) on Docker too, who owns the homes on their volume; writes /tmp besides", () => {
    const spec = platform.spec("jupyterhub");
    expect([spec.runAs, spec.runAsOnDocker]).toEqual([{ user: 1000, group: 1000 }, true]);
    expect(spec.volumes).toEqual([
      { name: "home", mountPath: "/home", size: config.jupyterhub.storageSize },
    ]);
    expect(spec.writablePaths).toEqual(["/tmp"]);
  });

  it("published with its login, healthy at the port it serves; starts its mounted script under tini", () => {
    const spec = platform.spec("jupyterhub");
    expect(spec.ports!.map((p) => [p.port, p.publish?.login])).toEqual([[8000, true]]);
    expect(spec.health.http).toEqual({ path: "/hub/health", port: 8000 });
    expect(hub.workload.healthUrl).toBe("http://jupyterhub:8000/hub/health");
    expect(spec.entrypoint).toEqual(["/usr/bin/tini", "--"]);
    expect(spec.files!.find((f) => f.path === spec.command![0])?.executable).toBe(true);
  });

  it("connects to its database and everything the client settings name; sized by config, after what it is given", () => {
    const spec = platform.spec("jupyterhub");
    expect(spec.connects).toEqual([
      ...client.network.connects,
      { service: "postgres", port: 5432 },
    ]);
    const { memoryMiB, cpus } = config.jupyterhub;
    expect([spec.memoryMiB, spec.cpus]).toEqual([memoryMiB, cpus]);
    expect(spec.startAfter).toEqual(after);
  });
});

describe("JupyterHub's ServiceAccess", () => {
  it("a database, the admin's password and the hub's two keys, and the admin's login", () => {
    expect(JUPYTERHUB_ACCESS.database).toEqual({});
    expect(JUPYTERHUB_ACCESS.identity).toBeUndefined();
    expect(JUPYTERHUB_ACCESS.passwords).toEqual([
      "jupyterhub-admin",
      "jupyterhub-cookie-secret",
      "jupyterhub-proxy-token",
    ]);
    const password = pulumi.secret("mocksecret-jupyterhub-admin");
    const logins = JUPYTERHUB_ACCESS.credentials!({ "jupyterhub-admin": password });
    expect(Object.keys(logins)).toEqual(["jupyterhub"]);
    expect(logins.jupyterhub).toMatchObject({ user: ADMIN });
    expect((logins.jupyterhub as { password: unknown }).password).toBe(password);
  });
});
