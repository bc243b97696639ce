import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { IMAGES } from "../components/images";
import { contentTag } from "../components/imageTag";
import { diffPlans, type StackDiff } from "../scripts/plan/diff";
import type { Registration } from "../scripts/evaluate";
import { flatten } from "../scripts/plan/fields";
import { parseArgs, plan, USAGE } from "../scripts/plan/main";
import { toStackPlan, type StackPlan } from "../scripts/plan/model";
import { renderDocument, renderStack } from "../scripts/plan/render";
import {
  MOCK_SECRET_MARKER,
  REPO_ROOT,
  SECRET_SIG,
  runProgram,
  stackConfig,
  type ProgramRun,
} from "./harness";

const secret = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });

function registration(type: string, name: string, inputs: Record<string, unknown>): Registration {
  return {
    type,
    name,
    inputs,
    retainOnDelete: false,
    deleteBeforeReplace: false,
    dependencies: [],
    parent: "",
  };
}

function planOf(stack: string, registrations: Registration[], outputs = {}): StackPlan {
  return toStackPlan(stack, { registrations, outputs });
}

/** The `diff` block's lines of a rendered stack section. */
function diffLines(d: StackDiff): string[] {
  const md = renderStack(d);
  const start = md.indexOf("```diff\n");
  return start < 0 ? [] : md.slice(start + 8, md.indexOf("\n```", start)).split("\n");
}

describe("npm run plan: fields, diff and rendering (pure)", () => {
  it("prints a secret as [secret] wherever it sits, and an env var's name even when its value is secret", () => {
    const f = flatten({
      image: "postgres:16.9-bookworm",
      envs: secret(["PGDATA=/data", `POSTGRES_PASSWORD=${MOCK_SECRET_MARKER}-pg`]),
      stringData: secret({ "env.PASSWORD": `${MOCK_SECRET_MARKER}-x` }),
    });
    expect(f.shown).toEqual({
      image: "postgres:16.9-bookworm",
      "envs[PGDATA]": "[secret]",
      "envs[POSTGRES_PASSWORD]": "[secret]",
      "stringData.env.PASSWORD": "[secret]",
    });
    expect(Object.keys(f.secretDigests).sort()).toEqual(
      ["envs[PGDATA]", "envs[POSTGRES_PASSWORD]", "stringData.env.PASSWORD"].sort(),
    );
    expect(JSON.stringify(f)).not.toContain(MOCK_SECRET_MARKER);
  });

  it("keys a list by what names its items, so one more item is one more field, not a shifted list", () => {
    const f = flatten({
      env: [
        { name: "B", value: "2" },
        { name: "A", value: "1" },
      ],
      ports: [{ internal: 8080, external: 8080, ip: "127.0.0.1" }],
      command: ["spark-class", "Worker"],
    });
    expect(f.shown).toEqual({
      "env[B].value": "2",
      "env[A].value": "1",
      "ports[8080].external": "8080",
      "ports[8080].ip": "127.0.0.1",
      command: '["spark-class","Worker"]',
    });
  });

  it("shows a changed field as `path: old → new`, and a changed secret only as changed", () => {
    const before = planOf("dev", [
      registration("docker:index/container:Container", "app", {
        image: "app:1",
        envs: secret(["TOKEN=a"]),
      }),
    ]);
    const after = planOf("dev", [
      registration("docker:index/container:Container", "app", {
        image: "app:2",
        envs: secret(["TOKEN=b"]),
      }),
    ]);
    expect(diffLines(diffPlans(before, after))).toEqual([
      "~ docker:index:Container app",
      "      envs[TOKEN]: [secret] (changed)",
      "      image: app:1 → app:2",
    ]);
  });

  it("no line can close the code block early, whatever a value holds", () => {
    const p = planOf("dev", [registration("x:index/y:Y", "z", { note: "a ``` b ```` c" })]);
    const md = renderStack(diffPlans(undefined, p));
    expect(md).toContain("`````diff\n");
    expect(md.trimEnd().endsWith("`````")).toBe(true);
  });

  // Arbitrary resource inputs in which every secret value carries the marker.
  const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_.-]{0,8}$/);
  const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean());
  const secretLeaf = fc
    .oneof(
      fc.string({ maxLength: 8 }).map((s) => `${MOCK_SECRET_MARKER}-${s}`),
      fc
        .tuple(fc.stringMatching(/^[A-Z][A-Z_]{0,6}$/), fc.string({ maxLength: 6 }))
        .map(([k, s]) => [`${k}=${MOCK_SECRET_MARKER}${s}`]),
      fc.dictionary(key, fc.constant(`x${MOCK_SECRET_MARKER}`), { maxKeys: 3 }),
    )
    .map(secret);
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      leaf,
      secretLeaf,
      fc.array(tie("value"), { maxLength: 3 }),
      fc.array(fc.record({ name: fc.stringMatching(/^[a-z]{1,5}$/), value: tie("value") }), {
        maxLength: 3,
      }),
      fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    ),
  }));
  const types = fc.constantFrom(
    "docker:index/container:Container",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:core/v1:Secret",
    "random:index/randomPassword:RandomPassword",
  );
  const registrations = fc.uniqueArray(
    fc
      .tuple(types, fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), fc.dictionary(key, value))
      .map(([t, n, inputs]) => registration(t, n, inputs)),
    { maxLength: 6, selector: (r) => `${r.type}::${r.name}` },
  );

  it("never prints a secret value, in a plan or in a diff (fast-check)", () => {
    fc.assert(
      fc.property(registrations, registrations, (a, b) => {
        const [pa, pb] = [planOf("dev", a), planOf("dev", b)];
        const md = renderDocument({
          stacks: [
            { stack: "dev", diff: diffPlans(undefined, pa) },
            { stack: "dev", diff: diffPlans(pa, pb) },
          ],
        });
        expect(md).not.toContain(MOCK_SECRET_MARKER);
      }),
      { numRuns: 200 },
    );
  });

  it("a plan compared with itself has no changes; compared with nothing, everything is created (fast-check)", () => {
    fc.assert(
      fc.property(registrations, (rs) => {
        const p = planOf("dev", rs);
        expect(diffPlans(p, p).resources).toEqual([]);
        const fresh = diffPlans(undefined, p).resources;
        expect(fresh.map((r) => r.op)).toEqual(rs.map(() => "create"));
        // The same plan renders to the same bytes, whatever order it was registered in.
        const reversed = planOf("dev", [...rs].reverse());
        expect(renderStack(diffPlans(undefined, reversed))).toBe(
          renderStack(diffPlans(undefined, p)),
        );
      }),
      { numRuns: 100 },
    );
  });

  it("takes --stack, --base and --out, and refuses anything else with what it accepts", () => {
    expect(parseArgs([])).toEqual({ stacks: ["dev", "k8s"] });
    expect(parseArgs(["--stack", "dev", "--base", "origin/main"])).toEqual({
      stacks: ["dev"],
      base: "origin/main",
    });
    expect(() => parseArgs(["--stack", "prod"])).toThrow(
      "--stack must be one of dev, k8s, got 'prod'",
    );
    expect(() => parseArgs(["--base"])).toThrow("--base needs a value");
    expect(() => parseArgs(["--verbose"])).toThrow("unknown argument '--verbose'");
    expect(parseArgs(["--stack", "dev", "--help"])).toEqual({ stacks: ["dev"], help: true });
  });

  it("--help prints its usage and evaluates nothing", () => {
    const r = spawnSync(
      process.execPath,
      ["-r", require.resolve("ts-node/register/transpile-only"), "scripts/plan/main.ts", "--help"],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect([r.status, r.stdout, r.stderr]).toEqual([0, USAGE, ""]);
    expect(USAGE).toMatch(/^usage: npm run plan/);
  });
});

describe("npm run plan on the real stacks", () => {
  const runs: Record<string, ProgramRun> = {};
  const rendered = (stack: string, run: ProgramRun, base?: ProgramRun) =>
    renderDocument({
      stacks: [
        {
          stack,
          diff: diffPlans(base && toStackPlan(stack, base), toStackPlan(stack, run)),
        },
      ],
    });
  beforeAll(async () => {
    runs.dev = await runProgram("dev");
    runs.k8s = await runProgram("k8s");
  });

  it.each(["dev", "k8s"])(
    "%s: prints no generated credential, and every secret as [secret]",
    (stack) => {
      const md = rendered(stack, runs[stack]);
      expect(md).not.toContain(MOCK_SECRET_MARKER);
      expect(md).toContain("credentials: [secret]");
      expect(md).toMatch(/env=[^ ]*AWS_SECRET_ACCESS_KEY/);
    },
  );

  // One stack only: each evaluation costs seconds, and the graph suite must stay fast.
  it("changing an image tag shows the changed image and nothing else", async () => {
    const before = JSON.parse(stackConfig("dev")["dataflow-lab:postgres"]).image as string;
    const after = "postgres:17.5-bookworm";
    expect(before).not.toBe(after);
    const image = { postgres: { image: after } };
    const dev = diffPlans(
      toStackPlan("dev", runs.dev),
      toStackPlan("dev", await runProgram("dev", image)),
    );
    expect(diffLines(dev)).toEqual([
      "~ docker:index:RemoteImage postgres",
      `      name: ${before} → ${after}`,
    ]);
    expect(dev.outputs).toEqual([]);
    expect(renderStack(dev)).toContain("### `dev`: 0 to create, 1 to change, 0 to delete");
  });

  it("--base: spark.workers 2 → 3 in Pulumi.dev.yaml adds exactly one container; the same input prints the same bytes", async () => {
    // A scratch repository holding this program, the change made after its one commit.
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-plan-test-"));
    try {
      for (const entry of PROGRAM_FILES) {
        fs.cpSync(path.join(REPO_ROOT, entry), path.join(repo, entry), { recursive: true });
      }
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(repo, "node_modules"));
      fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\n");
      const git = (...args: string[]) => {
        const r = spawnSync(
          "git",
          ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          {
            cwd: repo,
            encoding: "utf8",
          },
        );
        if (r.status !== 0) throw new Error(r.stderr);
      };
      git("init", "-q");
      git("add", "-A");
      git("commit", "-qm", "base");
      fs.writeFileSync(
        path.join(repo, "Pulumi.dev.yaml"),
        "config:\n  dataflow-lab:spark:\n    workers: 3\n",
      );

      const { markdown, failed, plans } = await plan({ stacks: ["dev"], base: "HEAD" }, repo);
      expect(failed).toBe(false);
      expect(markdown).toContain("### `dev`: 1 to create, 0 to change, 0 to delete");
      const block = markdown.slice(markdown.indexOf("```diff\n") + 8).split("\n```")[0];
      const { workerMemoryMiB } = JSON.parse(stackConfig("dev")["dataflow-lab:spark"]);
      const labRuntime = `dataflow-lab/lab-runtime:${contentTag(IMAGES.labRuntime.inputs)}`;
      expect(block.split("\n")).toEqual([
        `+ docker:index:Container spark-worker-3  image=${labRuntime} memory=${workerMemoryMiB}MiB cpus=1.0 env=SPARK_DAEMON_MEMORY,SPARK_WORKER_CORES,SPARK_WORKER_MEMORY files=/opt/spark/conf/spark-defaults.conf`,
      ]);
      const total = /~ memoryLimitMiB\.total: (\d+) → (\d+)/.exec(markdown);
      expect(Number(total?.[2]) - Number(total?.[1])).toBe(workerMemoryMiB);
      expect(markdown).not.toContain(MOCK_SECRET_MARKER);

      // Deterministic: the base side, evaluated in another process from another folder, prints
      // byte for byte what this process printed for the same program and config.
      const base = plans.find((p) => p.side === "base" && p.stack === "dev")!.plan;
      expect(renderStack(diffPlans(undefined, base))).toBe(
        renderStack(diffPlans(undefined, toStackPlan("dev", runs.dev))),
      );
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});

/** What the program reads: its code, its stack files, and what its images' content tags hash. */
const PROGRAM_FILES = [
  "stacks",
  "components",
  "images",
  "lab",
  "services",
  "Pulumi.yaml",
  "Pulumi.dev.yaml",
  "Pulumi.k8s.yaml",
  "package.json",
  "tsconfig.json",
];
