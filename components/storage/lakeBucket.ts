import * as pulumi from "@pulumi/pulumi";

/** What a {@link LakeBucket} needs to reach MinIO, and what it manages there. */
export interface LakeBucketInputs {
  /** Bucket name. */
  readonly bucket: string;
  /** MinIO's S3 API as `pulumi up` reaches it, `host:port`. */
  readonly server: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/**
 * How long each call waits for MinIO to answer at all (connection refused or reset, a 503 while it
 * starts): `pulumi up` may reach the published port a moment before the server listens on it.
 */
export const MINIO_WAIT_MS = 60_000;

/** `call`, again every second while MinIO is not listening, until `waitMs` has passed. */
export async function whenListening<T>(
  call: () => Promise<T>,
  waitMs = MINIO_WAIT_MS,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return await call();
    } catch (e) {
      // A server that is not (yet) listening, as Node and MinIO's client report it.
      const text = `${(e as { code?: string }).code ?? ""} ${(e as Error).message ?? e}`;
      const starting = /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|ServiceUnavailable/;
      if (!starting.test(text) || Date.now() >= until) throw e;
      await sleep(1000);
    }
  }
}

/** The few bucket operations the lake needs, so tests can model MinIO's state. */
export interface BucketStore {
  exists(bucket: string): Promise<boolean>;
  create(bucket: string): Promise<void>;
  /** Object versions and delete markers, as `{ name, versionId }`. */
  versions(bucket: string): Promise<{ name: string; versionId?: string }[]>;
  remove(bucket: string): Promise<void>;
}

/** The real store: MinIO's own JavaScript client (S3 calls only, no admin API). */
export function minioStore(i: LakeBucketInputs, waitMs = MINIO_WAIT_MS): BucketStore {
  // Required here, not imported at the top: this runs inside the serialized dynamic provider.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Minio = require("minio");
  const [endPoint, port] = i.server.split(":");
  const client = new Minio.Client({
    endPoint,
    port: Number(port),
    useSSL: false,
    accessKey: i.accessKey,
    secretKey: i.secretKey,
  });
  const wait = <T>(call: () => Promise<T>) => whenListening(call, waitMs);
  return {
    exists: (b) => wait(() => client.bucketExists(b)),
    create: (b) => wait(() => client.makeBucket(b)),
    versions: (b) =>
      wait(
        () =>
          new Promise((resolve, reject) => {
            const out: { name: string; versionId?: string }[] = [];
            client
              .listObjects(b, "", true, { IncludeVersion: true })
              .on("data", (o: { name: string; versionId?: string }) =>
                out.push({ name: o.name, versionId: o.versionId }),
              )
              .on("error", reject)
              .on("end", () => resolve(out));
          }),
      ),
    remove: (b) => wait(() => client.removeBucket(b)),
  };
}

/**
 * Create-or-adopt: a bucket that already exists (kept by an earlier `pulumi destroy`, or from
 * before a service was switched off) becomes this resource with its objects, where the MinIO
 * provider's own bucket refuses to be created (`bucket already exists!`).
 */
export function lakeBucketProvider(
  store: (i: LakeBucketInputs) => BucketStore,
): pulumi.dynamic.ResourceProvider {
  return {
    async create(i: LakeBucketInputs) {
      const s = store(i);
      const adopted = await s.exists(i.bucket);
      if (!adopted) await s.create(i.bucket);
      return { id: i.bucket, outs: { ...i, adopted } };
    },
    async read(id: string, props: LakeBucketInputs & { adopted: boolean }) {
      // A bucket removed behind Pulumi's back leaves the state on refresh.
      return (await store(props).exists(id)) ? { id, props } : { id: "", props };
    },
    async diff(_id: string, olds: LakeBucketInputs, news: LakeBucketInputs) {
      const changed = (Object.keys(news) as (keyof LakeBucketInputs)[]).filter(
        (k) => olds[k] !== news[k],
      );
      return {
        changes: changed.length > 0,
        replaces: changed.includes("bucket") ? ["bucket"] : [],
        deleteBeforeReplace: true,
      };
    },
    async update(_id: string, olds: { adopted: boolean }, news: LakeBucketInputs) {
      // New credentials or a new address reach the same bucket: nothing to do in MinIO.
      return { outs: { ...news, adopted: olds.adopted } };
    },
    async delete(id: string, props: LakeBucketInputs) {
      // Never a bucket holding data, whatever removed the resource: a service switched off, a
      // bucket taken out of minio.buckets, or `pulumi destroy` (where, without
      // retainDataOnDestroy, MinIO's own volume goes and every bucket with it). A kept bucket is
      // adopted by the next resource that declares it.
      const s = store(props);
      if (!(await s.exists(id))) return;
      if ((await s.versions(id)).length > 0) return;
      await s.remove(id);
    },
  };
}

/** One provider object for every bucket: the SDK serializes it once and caches it by identity. */
const PROVIDER = lakeBucketProvider(minioStore);

/**
 * The engine's provider for dynamic resources (package `pulumi-nodejs`), made explicit. The
 * project disables default providers (`pulumi:disable-default-providers: ["*"]`), and the real
 * engine applies that to dynamic resources too: without this, every bucket is refused with
 * "Default provider for 'pulumi-nodejs' disabled" (the mock runtime does not know that rule). Each
 * bucket still carries its own code ({@link lakeBucketProvider}); this only names who runs it.
 */
export class DynamicProvider extends pulumi.ProviderResource {
  constructor(name: string, opts?: pulumi.ResourceOptions) {
    super("pulumi-nodejs", name, {}, opts);
  }
}

/**
 * One bucket of the lake, adopted if it exists (see {@link lakeBucketProvider}). A bucket with
 * objects (or object versions) is never deleted; with `retainOnDelete` (`retainDataOnDestroy`) not
 * even an empty one.
 */
export class LakeBucket extends pulumi.dynamic.Resource {
  declare readonly bucket: pulumi.Output<string>;
  /** Whether `pulumi up` found the bucket already there. */
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(
    name: string,
    args: { [K in keyof LakeBucketInputs]: pulumi.Input<LakeBucketInputs[K]> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(PROVIDER, name, { ...args, adopted: undefined }, opts, "storage", "LakeBucket");
  }
}
