/**
 * The real Pulumi CLI against the real targets: `pulumi preview` of each stack on a throwaway
 * local backend. Needs the Pulumi CLI plus a Docker daemon (dev) or a reachable cluster (k8s);
 * each suite skips, saying why, where those are missing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "./harness";

const ok = (cmd: string, args: string[]) => {
  try {
    return spawnSync(cmd, args, { timeout: 20_000 }).status === 0;
  } catch {
    return false;
  }
};
const hasCli = ok("pulumi", ["version"]);
const targets: Record<string, { available: boolean; missing: string }> = {
  dev: {
    available: hasCli && ok("docker", ["info"]),
    missing: "the Pulumi CLI and a running Docker daemon",
  },
  k8s: {
    available: hasCli && ok("kubectl", ["cluster-info"]),
    missing: "the Pulumi CLI and a reachable Kubernetes cluster",
  },
};

describe.each(Object.keys(targets))("pulumi preview -s %s (real CLI)", (stack) => {
  const { available, missing } = targets[stack];
  if (!available) {
    // Straight to stderr: jest does not show a skipped suite's console output.
    process.stderr.write(`SKIP cli ${stack}: needs ${missing}, which this machine lacks\n`);
  }
  (available ? it : it.skip)(
    "previews the whole lab without errors",
    () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "lab-cli-"));
      const env = {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${home}`,
        PULUMI_CONFIG_PASSPHRASE: "preview-only",
        PULUMI_SKIP_UPDATE_CHECK: "true",
      };
      const run = (args: string[]) =>
        spawnSync("pulumi", args, { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 600_000 });
      // The stack file first, so `stack init` adds its encryption salt to the copy.
      fs.copyFileSync(
        path.join(REPO_ROOT, `Pulumi.${stack}.yaml`),
        path.join(REPO_ROOT, `Pulumi.preview-${stack}.yaml`),
      );
      const init = run(["stack", "init", `preview-${stack}`, "--secrets-provider", "passphrase"]);
      expect({ status: init.status, stderr: init.stderr }).toEqual({
        status: 0,
        stderr: expect.any(String),
      });
      try {
        const preview = run([
          "preview",
          "--stack",
          `preview-${stack}`,
          "--non-interactive",
          "--diff",
        ]);
        expect(preview.status).toBe(0);
        expect(preview.stdout).toContain("minio");
      } finally {
        fs.rmSync(path.join(REPO_ROOT, `Pulumi.preview-${stack}.yaml`), { force: true });
        run(["stack", "rm", "--yes", "--force", `preview-${stack}`]);
      }
    },
    900_000,
  );
});
