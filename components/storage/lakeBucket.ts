import * as pulumi from "@pulumi/pulumi";

/** What a {@link LakeBucket} needs to reach MinIO, and what it manages there. */
export interface LakeBucketInputs {
  /** Bucket name. */
  readonly bucket: string;
  /** MinIO's S3 API as `pulumi up` reaches it, `host:port`. */
  readonly server: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /**
   * Whether deleting the resource deletes the bucket with its objects and versions. Without it, a
   * bucket is deleted only when empty, and otherwise kept where it is.
   */
  readonly deleteData: boolean;
}

/** The few bucket operations the lake needs, so tests can model MinIO's state. */
export interface BucketStore {
  exists(bucket: string): Promise<boolean>;
  create(bucket: string): Promise<void>;
  /** Object versions and delete markers, as `{ name, versionId }`. */
  versions(bucket: string): Promise<{ name: string; versionId?: string }[]>;
  removeVersions(bucket: string, v: { name: string; versionId?: string }[]): Promise<void>;
  remove(bucket: string): Promise<void>;
}

/** The real store: MinIO's own JavaScript client (S3 calls only, no admin API). */
export function minioStore(i: LakeBucketInputs): BucketStore {
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
  return {
    exists: (b) => client.bucketExists(b),
    create: (b) => client.makeBucket(b),
    versions: (b) =>
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
    removeVersions: async (b, v) => {
      for (let k = 0; k < v.length; k += 1000) await client.removeObjects(b, v.slice(k, k + 1000));
    },
    remove: (b) => client.removeBucket(b),
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
      const s = store(props);
      if (!(await s.exists(id))) return;
      const versions = await s.versions(id);
      if (versions.length > 0 && !props.deleteData) return; // kept, data and all
      await s.removeVersions(id, versions);
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
 * objects is deleted only with `deleteData`; with `retainOnDelete` (`retainDataOnDestroy`) it is
 * never deleted at all.
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
