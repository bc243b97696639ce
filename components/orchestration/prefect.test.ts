/**
 * Prefect alone on the fake platform: the server (database URL and API login only in secret env,
 * the UI's API at its published address, its state where it may write) and the process worker (the
 * client settings it is handed, the server it waits for, the marker its health check reads), each
 * sized by its own keys, and its ServiceAccess (test/services.test.ts checks both on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import { clientEnv, CLIENT_SERVICES } from "../clientSettings";
import type { LabConfig } from "../config";
import { LAB_RUNTIME_USER } from "../images";
import { Prefect, PREFECT_ACCESS, PREFECT_API_URL, prefectAuthString } from "./prefect";
import { peerAt, type FileSpec } from "../platform/types";
import { ADMIN } from "../service";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

/** Stand-ins for what the lab's other components hand Prefect. */
const DB_URL = "postgresql+asyncpg://prefect:mocksecret-db-prefect@postgres:5432/prefect";
const PASSWORD = "mocksecret-prefect-admin";
const CONF: FileSpec = { path: "/opt/spark/conf/x.conf", content: "mocksecret-conf", secret: true };

/** Prefect's Args as the lab builds them from config: the one place to follow an API change. */
function prefect(config: LabConfig, platform: FakePlatform): Prefect {
  const authString = prefectAuthString(pulumi.secret(PASSWORD));
  const settings = {
    sparkMasterUrl: "spark://spark-master:7077",
    sparkDriver: { connects: [], callers: [], sessionPorts: [] },
    s3Endpoint: "http://minio:9000",
    prefectApiUrl: PREFECT_API_URL,
    prefectAuthString: authString,
  };
  const s3 = { accessKey: "spark", secretKey: pulumi.secret("mocksecret-s3-spark") };
  return new Prefect("lab-prefect", {
    platform,
    image: platform.image({ name: "lab-runtime", dockerfile: "x", inputs: [] }),
    database: { url: pulumi.secret(DB_URL), server: { service: "postgres", port: 5432 } },
    authString,
    workerClient: clientEnv(settings, s3, CLIENT_SERVICES),
    workerFiles: [CONF],
    memoryMiB: config.prefect.memoryMiB,
    cpus: config.prefect.cpus,
    workerMemoryMiB: config.prefect.workerMemoryMiB,
    workerCpus: config.prefect.workerCpus,
  });
}

/** Plain env (and command) resolved: never secret, never holding a stand-in credential. */
async function expectNoCredential(plain: unknown): Promise<void> {
  const { value, secret } = await settle(plain);
  expect(secret).toBe(false);
  expect(JSON.stringify(value)).not.toContain("mocksecret");
}

describe("Prefect's workloads (fake platform)", () => {
  let platform: FakePlatform;
  let orchestrator: Prefect;
  beforeAll(async () => {
    platform = new FakePlatform();
    const sizes = { memoryMiB: 512, cpus: 1.5, workerMemoryMiB: 2048, workerCpus: 1.2 };
    ({ component: orchestrator } = await construct("dev", { prefect: sizes }, (c) =>
      prefect(c, platform),
    ));
  });

  it("server: the database URL and the API's admin:<password> only in secret env", async () => {
    const spec = platform.spec("prefect-server");
    expect(await settle(spec.secretEnv)).toEqual({
      value: {
        PREFECT_API_DATABASE_CONNECTION_URL: DB_URL,
        PREFECT_SERVER_API_AUTH_STRING: `${ADMIN}:${PASSWORD}`,
      },
      secret: true,
    });
    await expectNoCredential({ env: spec.env, command: spec.command });
    expect(spec.connects).toEqual([{ service: "postgres", port: 5432 }]);
  });

  it("server: published with its login on the port it serves and is checked at; the UI calls that address", () => {
    const spec = platform.spec("prefect-server");
    const [port] = spec.ports!;
    expect(port.publish?.login).toBe(true);
    expect(spec.command!.slice(-2)).toEqual(["--port", String(port.port)]);
    expect(spec.health.http).toEqual({ path: "/api/health", port: port.port });
    expect(spec.env!.PREFECT_UI_API_URL).toBe(`${orchestrator.server.urls.prefect}/api`);
    // The API clients are given is this server's.
    expect(peerAt(orchestrator.apiUrl)).toEqual({ service: "prefect-server", port: port.port });
  });

  it("both run as the lab runtime's user with Prefect's state under /tmp, the one path they write, each sized by its own keys", () => {
    const server = platform.spec("prefect-server");
    const worker = platform.spec("prefect-worker");
    for (const spec of [server, worker]) {
      expect([spec.runAs, spec.writablePaths]).toEqual([LAB_RUNTIME_USER, ["/tmp"]]);
      expect(spec.env!.PREFECT_HOME).toMatch(/^\/tmp\//);
    }
    expect(server.env!.PREFECT_SERVER_UI_STATIC_DIRECTORY).toMatch(/^\/tmp\//);
    expect([server.memoryMiB, server.cpus]).toEqual([512, 1.5]);
    expect([worker.memoryMiB, worker.cpus]).toEqual([2048, 1.2]);
  });

  it("worker: the client settings it is handed, every credential in secret env, no port, after the server", async () => {
    const spec = platform.spec("prefect-worker");
    const secrets = ["AWS_SECRET_ACCESS_KEY", "PREFECT_API_AUTH_STRING"];
    expect(Object.keys(spec.secretEnv!).sort()).toEqual(secrets);
    expect((await settle(spec.secretEnv)).secret).toBe(true);
    await expectNoCredential(spec.env);
    expect(spec.env!.PREFECT_API_URL).toBe(PREFECT_API_URL);
    expect(spec.connects).toContainEqual(peerAt(orchestrator.apiUrl));
    expect(spec.ports).toBeUndefined();
    expect(spec.startAfter).toBe(orchestrator.server.ready);
  });

  it("worker: healthy once the marker its env names exists, alive while it answers; mounts what it is given", () => {
    const spec = platform.spec("prefect-worker");
    const alive = spec.health.liveness!.command!;
    expect(spec.health.command.join(" ")).toContain(`test -f ${spec.env!.LAB_DEPLOYED_MARKER} `);
    expect(spec.health.command.slice(-alive.length)).toEqual(alive);
    expect(spec.files![0]).toBe(CONF);
    expect(spec.files!.find((f) => f.path === spec.command![0])?.executable).toBe(true);
  });
});

describe("Prefect's ServiceAccess", () => {
  it("a database with pg_trgm, one password, and its login with the API's auth string (secret)", async () => {
    expect(PREFECT_ACCESS.database).toEqual({ extensions: ["pg_trgm"] });
    expect(PREFECT_ACCESS.passwords).toEqual(["prefect-admin"]);
    const password = pulumi.secret(PASSWORD);
    const logins = PREFECT_ACCESS.credentials!({ "prefect-admin": password });
    const login = logins.prefect as { user: string; password: unknown; authString: unknown };
    expect([Object.keys(logins), login.user]).toEqual([["prefect"], ADMIN]);
    expect(login.password).toBe(password);
    expect(await settle(login.authString)).toEqual({ value: `${ADMIN}:${PASSWORD}`, secret: true });
  });
});
