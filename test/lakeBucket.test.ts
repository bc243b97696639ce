/**
 * LakeBucket's provider: its logic on an in-memory MinIO, and the code `pulumi up` hands to the
 * engine (the mock runtime records a stand-in, see harness.ts), serialized for real and loaded.
 * The real-services suite runs it against a real MinIO.
 */
import * as fs from "fs";
import * as path from "path";
import type * as pulumiType from "@pulumi/pulumi";
import {
  lakeBucketProvider,
  minioStore,
  whenListening,
  type LakeBucketInputs,
} from "../components/storage/lakeBucket";
import { REPO_ROOT } from "./harness";
import { memoryStore as memory } from "./keptWorld";

const inputs = (over: Partial<LakeBucketInputs> = {}): LakeBucketInputs => ({
  bucket: "bronze",
  server: "127.0.0.1:1",
  accessKey: "root",
  secretKey: "secret",
  ...over,
});

describe("LakeBucket's provider", () => {
  it("creates a missing bucket, adopts an existing one with its objects", async () => {
    const buckets = new Map([["gold", 7]]);
    const p = lakeBucketProvider(() => memory(buckets));
    expect((await p.create!(inputs())).outs.adopted).toBe(false);
    expect((await p.create!(inputs({ bucket: "gold" }))).outs.adopted).toBe(true);
    expect(buckets.get("gold")).toBe(7);
  });

  it("never deletes a bucket holding objects; an empty one goes", async () => {
    const buckets = new Map([
      ["bronze", 3],
      ["empty", 0],
    ]);
    const p = lakeBucketProvider(() => memory(buckets));
    await p.delete!("bronze", inputs());
    expect(buckets.get("bronze")).toBe(3);
    await p.delete!("empty", inputs({ bucket: "empty" }));
    expect(buckets.has("empty")).toBe(false);
  });

  it("a bucket removed by hand: read (refresh) reports it gone, delete finds nothing to do", async () => {
    const p = lakeBucketProvider(() => memory(new Map()));
    expect((await p.read!("gold", { ...inputs({ bucket: "gold" }), adopted: false })).id).toBe("");
    await expect(p.delete!("gold", inputs({ bucket: "gold" }))).resolves.toBeUndefined();
  });

  it("waits, bounded, for MinIO to listen: retries a refused connection, gives up after the wait, rethrows anything else", async () => {
    let calls = 0;
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    const refusedTwice = () =>
      ++calls <= 2
        ? Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))
        : Promise.resolve("ok");
    await expect(whenListening(refusedTwice, 60_000, sleep)).resolves.toBe("ok");
    expect([calls, slept]).toEqual([3, [1000, 1000]]);
    const refused = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1"));
    await expect(whenListening(refused, 0, sleep)).rejects.toThrow(/ECONNREFUSED/);
    const denied = jest.fn(() => Promise.reject(new Error("Access Denied.")));
    await expect(whenListening(denied, 60_000, sleep)).rejects.toThrow("Access Denied.");
    expect(denied).toHaveBeenCalledTimes(1);
  });

  it("replaces only for another bucket name; new credentials or address are an update", async () => {
    const p = lakeBucketProvider(() => memory(new Map()));
    expect(await p.diff!("bronze", inputs(), inputs({ bucket: "silver" }))).toMatchObject({
      changes: true,
      replaces: ["bucket"],
    });
    expect(await p.diff!("bronze", inputs(), inputs({ secretKey: "new" }))).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect((await p.diff!("bronze", inputs(), inputs())).changes).toBe(false);
  });

  it("serializes for the engine and runs from that code, with MinIO's client", async () => {
    const pulumi: typeof pulumiType = jest.requireActual("@pulumi/pulumi");
    // A wait of 2 s: the real one (a minute) is the same code.
    const provider = lakeBucketProvider((i) => minioStore(i, 2000));
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    // Beside node_modules, as the engine's dynamic provider host loads it from the program.
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, ".lakebucket-"));
    try {
      const file = path.join(dir, "provider.js");
      fs.writeFileSync(file, sf.text);
      const loaded = require(file)[sf.exportName]();
      expect((await loaded.diff("b", inputs(), inputs({ bucket: "c" }))).replaces).toEqual([
        "bucket",
      ]);
      // A real call through MinIO's client: nothing listens on port 1, so it waits, then fails.
      const started = Date.now();
      await expect(loaded.create(inputs())).rejects.toThrow(/ECONNREFUSED|connect/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
