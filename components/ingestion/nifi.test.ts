/**
 * NiFi alone on the fake platform: the single user's password and the landing identity's S3 key
 * only in secret env, the heap from nifi.memoryMiB, its repositories on volumes of nifi.storageSize
 * (conf seeded from the image), the lab's flow import its entrypoint starts and its health check
 * waits for, the reason its root filesystem stays writable, and NiFi's ServiceAccess
 * (test/services.test.ts checks the same service as the whole program wires it on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import { BRONZE, parseConfig, type LabConfig } from "../config";
import { SERVICE_IMAGES } from "../images";
import { Nifi, NIFI_ACCESS, NIFI_LANDING_BUCKET } from "./nifi";
import { ADMIN } from "../service";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

/** Stand-ins for what the lab hands NiFi. */
const PASSWORD = "mocksecret-nifi-admin";
const S3_KEY = "mocksecret-s3-nifi";

/** NiFi's Args as the lab builds them from config: the one place to follow an API change. */
function nifi(config: LabConfig, platform: FakePlatform, username: string = ADMIN): Nifi {
  return new Nifi("lab-nifi", {
    platform,
    image: SERVICE_IMAGES.nifi,
    username,
    password: pulumi.secret(PASSWORD),
    landing: {
      s3Endpoint: "http://minio:9000",
      bucket: NIFI_LANDING_BUCKET,
      s3: { accessKey: "nifi", secretKey: pulumi.secret(S3_KEY) },
    },
    storageSize: config.nifi.storageSize,
    memoryMiB: config.nifi.memoryMiB,
    cpus: config.nifi.cpus,
  });
}

describe("NiFi's workload (fake platform)", () => {
  let platform: FakePlatform;
  let server: Nifi;
  beforeAll(async () => {
    platform = new FakePlatform();
    const sized = { nifi: { memoryMiB: 1537, cpus: 1.5, storageSize: "25Gi" } };
    ({ component: server } = await construct("dev", sized, (c) => nifi(c, platform)));
  });

  it("the user's password and the landing identity's S3 key only in secret env", async () => {
    const spec = platform.spec("nifi");
    expect(await settle(spec.secretEnv)).toEqual({
      value: { LAB_NIFI_S3_SECRET_KEY: S3_KEY, SINGLE_USER_CREDENTIALS_PASSWORD: PASSWORD },
      secret: true,
    });
    const plain = await settle({ env: spec.env, files: spec.files, entrypoint: spec.entrypoint });
    expect(plain.secret).toBe(false);
    expect(JSON.stringify(plain.value)).not.toContain("mocksecret");
    expect(spec.files!.filter((f) => f.secret)).toEqual([]);
    expect(spec.connects).toEqual([{ service: "minio", port: 9000 }]);
  });

  it("heap: half of nifi.memoryMiB, rounded down, as start and limit; the container gets all of it", () => {
    const spec = platform.spec("nifi");
    expect([spec.env!.NIFI_JVM_HEAP_INIT, spec.env!.NIFI_JVM_HEAP_MAX]).toEqual(["768m", "768m"]);
    expect([spec.memoryMiB, spec.cpus]).toEqual([1537, 1.5]);
  });

  it("repositories on volumes of nifi.storageSize, conf and state small; only conf starts with the image's files", () => {
    const volumes = platform.spec("nifi").volumes!;
    const sizes = Object.fromEntries(volumes.map((v) => [v.name, v.size]));
    expect(sizes).toEqual({
      conf: "1Gi",
      "content-repository": "25Gi",
      "database-repository": "25Gi",
      "flowfile-repository": "25Gi",
      "provenance-repository": "25Gi",
      state: "1Gi",
    });
    expect(volumes.filter((v) => v.seedFromImage).map((v) => v.name)).toEqual(["conf"]);
  });

  it("starts a mounted script that imports the mounted flow; healthy once the marker its env names exists", () => {
    const spec = platform.spec("nifi");
    const mounted = new Map(spec.files!.map((f) => [f.path, f]));
    expect(mounted.get(spec.entrypoint![1])?.executable).toBe(true);
    expect(mounted.has(spec.env!.LAB_NIFI_IMPORT as string)).toBe(true);
    expect(mounted.has(spec.env!.LAB_NIFI_FLOW as string)).toBe(true);
    const marker = spec.env!.LAB_NIFI_IMPORTED_MARKER;
    expect(spec.health.command.join(" ")).toContain(`test -f ${marker} `);
    // Alive while the API answers, the import done or not.
    const alive = spec.health.liveness!.command!;
    expect(spec.health.command.slice(-alive.length)).toEqual(alive);
  });

  it("publishes HTTPS with its login at /nifi; runs as nifi (1000) on a writable root, with the reason", () => {
    const spec = platform.spec("nifi");
    expect(spec.ports!.map((p) => [p.port, p.publish?.scheme, p.publish?.login])).toEqual([
      [8443, "https", true],
    ]);
    expect(spec.env!.NIFI_WEB_HTTPS_PORT).toBe("8443");
    expect(server.workload.urls).toEqual({ nifi: "https://localhost:8443/nifi" });
    expect([spec.runAs, spec.root, spec.writablePaths]).toEqual([
      { user: 1000, group: 1000 },
      undefined,
      undefined,
    ]);
    expect(spec.writableRoot).toMatch(/conf\//);
  });

  it("refuses a user name NiFi would replace with one of its own", async () => {
    await expect(construct("dev", {}, (c) => nifi(c, new FakePlatform(), "nif"))).rejects.toThrow(
      "NiFi needs a user name of at least 4 characters",
    );
  });
});

describe("NiFi's ServiceAccess", () => {
  it("an identity that may write the landing bucket only, and the single user's login", () => {
    expect(NIFI_LANDING_BUCKET).toBe(BRONZE);
    expect(NIFI_ACCESS.identity!.readWrite(parseConfig({}, "dev"))).toEqual([BRONZE]);
    expect(NIFI_ACCESS.identity!.readOnly ?? []).toEqual([]);
    expect([NIFI_ACCESS.database, NIFI_ACCESS.passwords]).toEqual([undefined, ["nifi-admin"]]);
    const password = pulumi.secret(PASSWORD);
    type Login = { user: string; password: unknown };
    const logins = NIFI_ACCESS.credentials!({ "nifi-admin": password }) as Record<string, Login>;
    expect(Object.keys(logins)).toEqual(["nifi"]);
    expect(logins.nifi.user).toBe(ADMIN);
    expect(logins.nifi.password).toBe(password);
  });
});
