/**
 * What `pulumi up` does to MinIO: the declared buckets through the program's own LakeBucket
 * provider (created, or adopted when kept from an earlier run) with the inputs it registers; then
 * what @pulumi/minio does, done with `mc` against the same published address with the same root
 * credentials: versioning, and one user per identity with its policy document exactly as the
 * program registers it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  lakeBucketProvider,
  minioStore,
  type LakeBucketInputs,
} from "../../components/storage/lakeBucket";
import type { LakeWiring } from "./wiring";

export function mc(mcBin: string, lake: LakeWiring, args: string[], allowFail = false): string {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), "mc-"));
  try {
    const r = spawnSync(mcBin, ["--json", ...args], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        MC_CONFIG_DIR: config,
        MC_HOST_lab: `http://${lake.rootUser}:${lake.rootPassword}@${lake.server}`,
      },
      timeout: 60000,
    });
    if (r.status !== 0 && !allowFail) {
      throw new Error(`mc ${args.join(" ")}: ${r.stdout}${r.stderr}`);
    }
    return r.stdout;
  } finally {
    fs.rmSync(config, { recursive: true, force: true });
  }
}

/**
 * Applies the lake as declared; run after MinIO is healthy, before anything that needs it. With
 * `before` (what the last `pulumi up` declared, still in the state), only the difference, as
 * `pulumi up` applies it: a bucket no longer declared is deleted through the provider unless
 * `retainOnDelete` leaves it be (and the provider keeps one holding data in any case), an
 * identity no longer declared loses its user and policy, a changed secret is set anew.
 * Returns, per bucket created now, whether it was adopted (found already there).
 */
export async function applyLake(
  mcBin: string,
  lake: LakeWiring,
  before?: LakeWiring,
): Promise<Record<string, boolean>> {
  const adopted: Record<string, boolean> = {};
  const provider = lakeBucketProvider(minioStore);
  const declared = (l: LakeWiring | undefined, bucket: string) =>
    l?.buckets.some((b) => b.bucket === bucket) ?? false;
  // What the provider gets: the LakeBucket's inputs, without the resource option beside them.
  const inputs = (b: LakeBucketInputs): LakeBucketInputs => ({
    bucket: b.bucket,
    server: b.server,
    accessKey: b.accessKey,
    secretKey: b.secretKey,
  });
  // In the engine's order: the identities and policies (the buckets' own among them) first, then
  // the buckets, which wait for their identity; what is gone goes last, after the buckets.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policies-"));
  try {
    for (const p of lake.policies) {
      const file = path.join(dir, `${p.name}.json`);
      fs.writeFileSync(file, p.document);
      mc(mcBin, lake, ["admin", "policy", "create", "lab", p.name, file]);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const u of lake.users) {
    // A user whose secret is unchanged is left as it is, as @pulumi/minio leaves it.
    if (before?.users.some((o) => o.name === u.name && o.secret === u.secret)) continue;
    mc(mcBin, lake, ["admin", "user", "add", "lab", u.name, u.secret]);
    // Attaching twice is an error in mc; the provider's attachment is idempotent.
    mc(mcBin, lake, ["admin", "policy", "attach", "lab", u.policy, "--user", u.name], true);
  }
  for (const gone of before?.buckets.filter((b) => !declared(lake, b.bucket)) ?? []) {
    // Deleted with the state's inputs (its identity then), as the engine deletes a resource.
    if (!gone.retainOnDelete) await provider.delete!(gone.bucket, inputs(gone));
  }
  for (const b of lake.buckets) {
    if (declared(before, b.bucket)) continue;
    adopted[b.bucket] = (await provider.create!(inputs(b))).outs.adopted;
  }
  for (const bucket of lake.versioned) mc(mcBin, lake, ["version", "enable", `lab/${bucket}`]);
  for (const gone of before?.users.filter((u) => !lake.users.some((n) => n.name === u.name)) ??
    []) {
    mc(mcBin, lake, ["admin", "user", "remove", "lab", gone.name]);
  }
  for (const gone of before?.policies.filter(
    (p) => !lake.policies.some((n) => n.name === p.name),
  ) ?? []) {
    mc(mcBin, lake, ["admin", "policy", "remove", "lab", gone.name]);
  }
  return adopted;
}
