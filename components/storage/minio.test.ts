/**
 * MinIO alone on the fake platform: the root login only in the secret files its variables name,
 * its two published ports (both asking for a login, both MinIO's, only the API `pulumi up`'s), the
 * identities' credentials it hands out, what a consumer of the lake waits for, and the buckets it
 * refuses (test/docker-stack.test.ts and test/k8s-stack.test.ts check the server, its buckets and
 * policies as the whole program realises them).
 */
import * as pulumi from "@pulumi/pulumi";
import { BRONZE, type LabConfig } from "../config";
import { labAccess } from "../labAccess";
import { Minio, type IdentitySpec } from "./minio";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

const ROOT_USER = "mocksecret-minio-root-user";
const ROOT_PASSWORD = "mocksecret-minio-root-password";
const s3Key = (identity: string) => pulumi.secret(`mocksecret-s3-${identity}`);

/**
 * MinIO's Args as the lab builds them from config (plus `extra` identities): the one place to
 * follow an API change.
 */
function minio(
  config: LabConfig,
  platform: FakePlatform,
  extra: Omit<IdentitySpec, "secretKey">[] = [],
): Minio {
  const { buckets, identities } = labAccess(config);
  return new Minio("lab-minio", {
    platform,
    image: config.minio.image,
    rootUser: pulumi.secret(ROOT_USER),
    rootPassword: pulumi.secret(ROOT_PASSWORD),
    bucketKeeperSecret: s3Key("lab-buckets"),
    buckets: [...buckets],
    versionedBuckets: [BRONZE],
    identities: [...identities, ...extra].map((i) => ({
      ...i,
      secretKey: s3Key(i.name),
    })),
    retainOnDestroy: config.retainDataOnDestroy,
    storageSize: config.minio.storageSize,
    memoryMiB: config.minio.memoryMiB,
    cpus: config.minio.cpus,
  });
}

describe("MinIO's workload (fake platform)", () => {
  let platform: FakePlatform;
  let server: Minio;
  let config: LabConfig;
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: server, config } = await construct("dev", {}, (c) => minio(c, platform)));
  });

  it("reads its root login only from secret files, the ones its *_FILE variables name", async () => {
    const spec = platform.spec("minio");
    expect(spec.secretEnv).toBeUndefined();
    const files = Object.fromEntries(spec.files!.map((f) => [f.path, f]));
    const named = [spec.env!.MINIO_ROOT_USER_FILE, spec.env!.MINIO_ROOT_PASSWORD_FILE] as string[];
    expect(Object.keys(files).sort()).toEqual([...named].sort());
    expect(named.map((path) => files[path].secret)).toEqual([true, true]);
    expect(await settle(files[named[0]].content)).toEqual({ value: ROOT_USER, secret: true });
    expect(await settle(files[named[1]].content)).toEqual({ value: ROOT_PASSWORD, secret: true });
    const plain = await settle({ env: spec.env, command: spec.command });
    expect(plain.secret).toBe(false);
    expect(JSON.stringify(plain.value)).not.toContain("mocksecret");
  });

  it("publishes its API and console, both asking for a login and marked MinIO's; only the API is pulumi up's", () => {
    const spec = platform.spec("minio");
    const published = spec.ports!.map((p) => [p.name, p.port, p.publish?.login, p.publish?.minio]);
    expect(published).toEqual([
      ["api", 9000, true, true],
      ["console", 9001, true, true],
    ]);
    expect(spec.ports!.filter((p) => p.publish?.deployer).map((p) => p.name)).toEqual(["api"]);
    // The console listens where it is declared (without the flag, on a random port).
    expect(spec.command!.slice(-2)).toEqual(["--console-address", ":9001"]);
    expect(spec.health.http?.port).toBe(9000);
    expect(server.endpoint).toBe("http://minio:9000");
  });

  it("keeps /data on its volume; runs as 1000 and writes only /tmp, where mc keeps its config", () => {
    const spec = platform.spec("minio");
    expect(spec.volumes).toEqual([
      { name: "data", mountPath: "/data", size: config.minio.storageSize },
    ]);
    expect([spec.runAs, spec.root, spec.writableRoot]).toEqual([
      { user: 1000, group: 1000 },
      undefined,
      undefined,
    ]);
    expect(spec.writablePaths).toEqual(["/tmp"]);
    expect(spec.env!.MC_CONFIG_DIR).toMatch(/^\/tmp\//);
    expect([spec.memoryMiB, spec.cpus]).toEqual([config.minio.memoryMiB, config.minio.cpus]);
  });

  it("hands out a declared identity's keys, the secret key still secret, and refuses any other", async () => {
    const nifi = server.credentials("nifi");
    expect(nifi.accessKey).toBe("nifi");
    expect(await settle(nifi.secretKey)).toEqual({ value: "mocksecret-s3-nifi", secret: true });
    expect(() => server.credentials("lab-buckets")).toThrow(
      'no MinIO identity "lab-buckets" was declared',
    );
  });

  it("makes consumers of the lake wait for every bucket and every identity's policy", () => {
    const { buckets, identities } = labAccess(config);
    expect(server.lakeReady).toHaveLength(buckets.length + identities.length);
    expect(server.lakeReady).toEqual(expect.arrayContaining(Object.values(server.buckets)));
    expect(Object.keys(server.buckets).sort()).toEqual([...buckets].sort());
  });

  it("refuses an identity granted a bucket it does not create", async () => {
    const stray = { name: "stray", readWrite: ["bronze"], readOnly: ["reports"] };
    await expect(
      construct("dev", {}, (c) => minio(c, new FakePlatform(), [stray])),
    ).rejects.toThrow('bucket "reports" is not declared');
  });
});
