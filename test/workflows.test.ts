/**
 * The GitHub workflows: linted for real (scripts/workflow-lint.sh: actionlint with shellcheck on
 * every run: step), proven able to fail, and held to the rules that keep them safe — pinned actions,
 * least privilege, no secret where a pull request's code runs.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "./harness";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const LINT = path.join(REPO_ROOT, "scripts", "workflow-lint.sh");

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = {
  permissions?: unknown;
  environment?: unknown;
  steps?: Step[];
  container?: unknown;
};
type Workflow = {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
};

const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
const workflow = (f: string) => yaml.load(text(f)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);

// actionlint is built with Go (or already cached); shellcheck comes from Debian (test-prereqs).
const cacheHome = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache");
const cached = fs.existsSync(
  path.join(cacheHome, "dataflow-lab", "e2e", "actionlint-v1.7.12", "bin", "actionlint"),
);
const tools =
  (cached || spawnSync("go", ["version"]).status === 0) &&
  spawnSync("shellcheck", ["--version"]).status === 0;
if (!tools && process.env.CI === "true") {
  throw new Error("CI=true but Go or shellcheck is missing: scripts/test-prereqs.sh installs them");
}
if (!tools) {
  process.stderr.write("SKIP workflow lint tests: no Go (to build actionlint) or no shellcheck\n");
}

(tools ? describe : describe.skip)("actionlint and shellcheck", () => {
  const lint = (...args: string[]) =>
    spawnSync("bash", [LINT, ...args], { encoding: "utf8", timeout: 300_000 });

  it("pass on every workflow and every script the workflows call", () => {
    const r = lint();
    expect(r.stdout + r.stderr).toContain(`${files.length} workflow(s) clean`);
    expect(r.status).toBe(0);
  });

  it("fail on a broken workflow: a bad permission, an unknown property, an unquoted variable", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-workflow-"));
    try {
      const broken = path.join(dir, "broken.yml");
      fs.writeFileSync(
        broken,
        [
          "on: pull_request",
          "permissions:",
          "  pull-requests: writ",
          "jobs:",
          "  check:",
          "    runs-on: ubuntu-24.04",
          "    steps:",
          "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
          "      - if: ${{ github.shaa != '' }}",
          "        run: ls $RUNNER_TEMP/*",
          "",
        ].join("\n"),
      );
      const r = lint(broken);
      const out = r.stdout + r.stderr;
      expect(r.status).not.toBe(0);
      expect(out).toMatch(/"writ" is invalid as permission/);
      expect(out).toContain('property "shaa" is not defined');
      expect(out).toContain("SC2086");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the workflows' rules", () => {
  it("are the five of issue 9 (the plan comment in two halves)", () => {
    expect(files.sort()).toEqual([
      "checks.yml",
      "deploy.yml",
      "deployment-test.yml",
      "plan-comment.yml",
      "plan.yml",
      "preview.yml",
    ]);
  });

  it.each(files)(
    "%s: every action is pinned to a full commit SHA, with its version beside it",
    (f) => {
      const uses = text(f)
        .split("\n")
        .filter((l) => /^\s*(- )?uses:/.test(l));
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses) {
        expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    },
  );

  it.each(files)("%s: grants permissions explicitly, none by default", (f) => {
    const w = workflow(f);
    expect(w.permissions).toBeDefined();
    for (const job of Object.values(w.jobs)) {
      expect(job.permissions ?? w.permissions).toBeDefined();
    }
    expect(text(f)).not.toMatch(/write-all|pull_request_target/);
  });

  it("Plan runs the pull request's code with a read-only token and no secret, and uploads the plan", () => {
    const w = workflow("plan.yml");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(w.permissions).toEqual({ contents: "read" });
    expect(text("plan.yml")).not.toMatch(/secrets\./);
    const runs = steps(w)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(runs).toContain('npm run plan -- --base "origin/${BASE_REF}" --out plan/plan.md');
    expect(steps(w).some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
  });

  it("Plan comment never checks out or runs the pull request's code, and updates one marked comment", () => {
    const w = workflow("plan-comment.yml");
    expect(w.on).toEqual({ workflow_run: { workflows: ["Plan"], types: ["completed"] } });
    expect(w.permissions).toEqual({});
    expect(w.jobs.comment.permissions).toEqual({ actions: "read", "pull-requests": "write" });
    expect(steps(w).some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
    expect(steps(w).some((s) => s.run !== undefined)).toBe(false);
    const script = String(steps(w).find((s) => s.with?.script)?.with?.script);
    expect(script).toContain('const MARKER = "<!-- dataflow-lab-plan -->"');
    expect(script).toContain("/^[1-9][0-9]{0,9}$/.test(number)");
    expect(script).toContain("pr.head.sha !== run.head_sha");
    expect(script).toContain("updateComment");
  });

  it("Preview runs pulumi/actions preview on both stacks with a PR comment, and says so when secrets are absent", () => {
    const w = workflow("preview.yml");
    const job = w.jobs.preview as Job & { strategy: { matrix: { stack: string[] } } };
    expect(job.strategy.matrix.stack).toEqual(["dev", "k8s"]);
    const pulumi = steps(w).find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumi?.with).toMatchObject({ command: "preview", "comment-on-pr": true });
    expect(text("preview.yml")).toContain("PULUMI_ACCESS_TOKEN");
    expect(text("preview.yml")).toContain("PULUMI_BACKEND_URL");
    expect(text("preview.yml")).toContain("::notice title=pulumi preview skipped::");
  });

  it("Deploy runs pulumi up behind an environment, one deploy at a time, never cancelled midway", () => {
    const w = workflow("deploy.yml");
    expect(w.concurrency).toEqual({ group: "deploy", "cancel-in-progress": false });
    expect(w.jobs.up.environment).toEqual({ name: "${{ inputs.stack }}" });
    const pulumi = steps(w).find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumi?.with?.command).toBe("up");
  });

  it("the deployment test is weekly and on demand, and runs the README's up, destroy, up, destroy", () => {
    const w = workflow("deployment-test.yml");
    expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const runs = steps(w).map((s) => s.run ?? "");
    expect(runs.filter((r) => r.startsWith('npm run "up$SUFFIX" -- --yes'))).toHaveLength(2);
    expect(runs.filter((r) => r.startsWith('npm run "destroy$SUFFIX" -- --yes'))).toHaveLength(2);
  });

  it("use the Node.js version the README names and package.json's engines require", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const major = /\*\*Node\.js (\d+)\+\*\*/.exec(readme)?.[1];
    const engines = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"))
      .engines.node;
    expect(engines).toBe(`>=${major}`);
    for (const f of files) {
      for (const s of steps(workflow(f)).filter((x) => x.uses?.startsWith("actions/setup-node@"))) {
        expect(s.with?.["node-version"]).toBe(major);
      }
    }
  });
});
