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
import { lakeBucketProvider, minioStore } from "../../components/storage/lakeBucket";
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
 * Applies the lake as declared; run after MinIO is healthy, before anything that needs it.
 * Returns, per bucket, whether it was adopted (found already there).
 */
export async function applyLake(mcBin: string, lake: LakeWiring): Promise<Record<string, boolean>> {
  const adopted: Record<string, boolean> = {};
  const provider = lakeBucketProvider(minioStore);
  for (const inputs of lake.buckets) {
    const made = await provider.create!(inputs);
    adopted[inputs.bucket] = made.outs.adopted;
  }
  for (const bucket of lake.versioned) mc(mcBin, lake, ["version", "enable", `lab/${bucket}`]);
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
    mc(mcBin, lake, ["admin", "user", "add", "lab", u.name, u.secret]);
    // Attaching twice is an error in mc; the provider's attachment is idempotent.
    mc(mcBin, lake, ["admin", "policy", "attach", "lab", u.policy, "--user", u.name], true);
  }
  return adopted;
}
