/**
 * What `pulumi destroy` leaves behind, and how the providers treat it on the next `pulumi up`, as a
 * mock for the graph suite. Each rule is the provider's own behaviour, cited:
 * - MinIO buckets: terraform-provider-minio v1.20.1 (bridged by @pulumi/minio 0.17.1) refuses to
 *   create a bucket that exists (`[FATAL] bucket already exists!`, resource_minio_s3_bucket.go
 *   L111-115). The lab's LakeBucket runs its real provider code here on an in-memory MinIO.
 * - Kubernetes: pulumi-kubernetes ≥ 4.29 creates client-side and fails with AlreadyExists on an
 *   object that exists, unless its provider has `upsertExistingObjects` (release notes of v4.29.0).
 * - Docker named volumes: `docker volume create` of a name in use on the same driver returns the
 *   existing volume ("Docker assumes you want to re-use the existing volume and does not return an
 *   error", docker volume create reference), so they need nothing.
 */
import type * as pulumiType from "@pulumi/pulumi";
import { lakeBucketProvider, type BucketStore } from "../components/storage/lakeBucket";
import type { MockCreate, ProgramRun, Registration } from "./harness";

export const LAKE_BUCKET = "pulumi-nodejs:dynamic/storage:LakeBucket";
const MINIO_BUCKET = "minio:index/s3Bucket:S3Bucket";

/** Objects that exist outside the stack's state. */
export interface KeptWorld {
  /** Bucket → its object count. */
  readonly buckets: Map<string, number>;
  /** `Kind/namespace/name` of Kubernetes objects. */
  readonly k8s: Set<string>;
  /** Buckets a create found and adopted, in order. */
  readonly adopted: string[];
}

const kind = (type: string) => type.slice(type.lastIndexOf(":") + 1);
const k8sKey = (r: { type: string; inputs: Record<string, any> }) =>
  `${kind(r.type)}/${r.inputs.metadata?.namespace ?? ""}/${r.inputs.metadata?.name}`;

/** What a destroy keeps of a deployed run: every resource registered with `retainOnDelete`. */
export function keptAfterDestroy(run: ProgramRun, objectsPerBucket = 3): KeptWorld {
  const kept = run.registrations.filter((r) => r.retainOnDelete);
  return {
    buckets: new Map(
      kept
        .filter((r) => r.type === LAKE_BUCKET || r.type === MINIO_BUCKET)
        .map((r) => [r.inputs.bucket as string, objectsPerBucket]),
    ),
    k8s: new Set(
      kept.filter((r) => r.type.startsWith("kubernetes:") && r.inputs.metadata?.name).map(k8sKey),
    ),
    adopted: [],
  };
}

/** The world minus what a later run still manages (an update, not a create, for those). */
export function without(world: KeptWorld, run: ProgramRun): KeptWorld {
  const managed = (r: Registration) => r.type === LAKE_BUCKET || r.type === MINIO_BUCKET;
  const buckets = new Set(run.registrations.filter(managed).map((r) => r.inputs.bucket));
  const objects = new Set(
    run.registrations.filter((r) => r.type.startsWith("kubernetes:")).map(k8sKey),
  );
  return {
    buckets: new Map([...world.buckets].filter(([b]) => !buckets.has(b))),
    k8s: new Set([...world.k8s].filter((k) => !objects.has(k))),
    adopted: [],
  };
}

/** MinIO's buckets as a map of bucket → how many object versions it holds. */
export function memoryStore(buckets: Map<string, number>): BucketStore {
  return {
    exists: async (b) => buckets.has(b),
    create: async (b) => void buckets.set(b, 0),
    versions: async (b) =>
      Array.from({ length: buckets.get(b) ?? 0 }, (_, i) => ({
        name: `object-${i}`,
        versionId: `v${i}`,
      })),
    remove: async (b) => void buckets.delete(b),
  };
}

/** A mock create that plays the providers against `world`. */
export function playCreate(world: KeptWorld): MockCreate {
  const upserting = new Set<string>();
  return async (args: pulumiType.runtime.MockResourceArgs, state) => {
    const inputs = args.inputs as Record<string, any>;
    if (
      args.type === "pulumi:providers:kubernetes" &&
      String(inputs.upsertExistingObjects) === "true"
    ) {
      upserting.add(args.name);
    }
    if (args.type === MINIO_BUCKET && world.buckets.has(inputs.bucket)) {
      throw new Error(`[FATAL] bucket already exists! (${inputs.bucket}): <nil>`);
    }
    if (args.type === LAKE_BUCKET) {
      const made = await lakeBucketProvider(() => memoryStore(world.buckets)).create!(
        inputs as Parameters<NonNullable<ReturnType<typeof lakeBucketProvider>["create"]>>[0],
      );
      if (made.outs.adopted) world.adopted.push(inputs.bucket);
      return { ...state, ...made.outs };
    }
    if (args.type.startsWith("kubernetes:") && world.k8s.has(k8sKey({ type: args.type, inputs }))) {
      const provider = /pulumi:providers:kubernetes::([^:]+)::/.exec(args.provider ?? "")?.[1];
      if (!provider || !upserting.has(provider)) {
        throw new Error(
          `${kind(args.type)} "${inputs.metadata.name}" already exists (AlreadyExists): ${args.type}::${args.name}`,
        );
      }
    }
    return state;
  };
}
