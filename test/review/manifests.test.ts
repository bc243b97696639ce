/**
 * Peer review of what the stacks ship: the k8s stack's objects as the program renders them (the
 * mock runtime, as the graph suite evaluates it) written out as manifests, scored by kube-score and
 * checkov, and every Dockerfile either stack builds, scored by checkov. Every finding is either
 * fixed or listed, with its reason, in exceptions.yaml; a listed exception that no longer occurs
 * is a failure too, so the list stays true. (What the dev stack publishes, loopback only, is the
 * graph suite's.)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { REPO_ROOT, runProgram, unsecret, type ProgramRun } from "../harness";

const TOOLS = path.join(REPO_ROOT, "scripts", "review-tools.sh");
const EXCEPTIONS = path.join(REPO_ROOT, "test", "review", "exceptions.yaml");

/** One reviewer's verdict on one object: `<tool> <check> <Kind>/<name>`. */
type Finding = string;

interface Exception {
  readonly check: string;
  /** `Kind/name` of each object it applies to, or `*` for every object the check fails on. */
  readonly objects: readonly string[];
  readonly reason: string;
}

/** The stack's Kubernetes objects, in registration order, as manifests a cluster would get. */
function manifests(run: ProgramRun): Record<string, any>[] {
  return run.registrations
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r) => unsecret(r.inputs));
}

const tools = spawnSync("bash", [TOOLS], { encoding: "utf8" });
if (tools.status === 3) process.stderr.write(`SKIP peer review: ${tools.stderr.trim()}\n`);
else if (tools.status !== 0) throw new Error(`scripts/review-tools.sh failed:\n${tools.stderr}`);
const paths = Object.fromEntries(
  (tools.stdout ?? "")
    .split("\n")
    .filter((l) => l.includes("="))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);

/** kube-score's failed checks (grade below OK, not skipped) per object. */
function kubeScore(file: string): Finding[] {
  const r = spawnSync(paths.KUBE_SCORE, ["score", "--output-format", "json", file], {
    encoding: "utf8",
  });
  // Exit 1 means findings; anything else without JSON is a failure of the tool itself.
  if (!r.stdout?.trim().startsWith("[")) throw new Error(`kube-score: ${r.stderr || r.stdout}`);
  return (JSON.parse(r.stdout) as any[]).flatMap((o) =>
    (o.checks as any[])
      .filter((c) => !c.skipped && c.grade < 10)
      .map((c) => `kube-score ${c.check.id} ${o.type_meta.kind}/${o.object_meta.name}`),
  );
}

/**
 * checkov's failed checks per object: a Kubernetes object as `Kind/name` (checkov's resource ids
 * are `Kind.namespace.name`), a Dockerfile as `Dockerfile/<its path in the repository>`.
 */
function checkov(file: string, framework: "kubernetes" | "dockerfile" = "kubernetes"): Finding[] {
  const r = spawnSync(
    paths.CHECKOV,
    [
      "-f",
      file,
      "--framework",
      framework,
      "--output",
      "json",
      "--quiet",
      "--compact",
      "--skip-download",
    ],
    { encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
  );
  if (!r.stdout?.trim().startsWith("{") && !r.stdout?.trim().startsWith("["))
    throw new Error(`checkov: ${r.stderr || r.stdout}`);
  const out = JSON.parse(r.stdout);
  const reports = Array.isArray(out) ? out : [out];
  return reports.flatMap((rep: any) =>
    (rep.results?.failed_checks ?? []).map((c: any) => {
      if (framework === "dockerfile") {
        const shown = file.startsWith(`${REPO_ROOT}/`) ? path.relative(REPO_ROOT, file) : file;
        return `checkov ${c.check_id} Dockerfile/${shown}`;
      }
      const [kind, , ...name] = String(c.resource).split(".");
      return `checkov ${c.check_id} ${kind}/${name.join(".")}`;
    }),
  );
}

/** The findings no exception covers, and the exceptions that cover no finding. */
function compare(findings: Finding[], exceptions: Record<string, Exception[]>) {
  const covered = (f: Finding) => {
    const [tool, check, object] = f.split(" ");
    return (exceptions[tool] ?? []).some(
      (e) => e.check === check && (e.objects.includes("*") || e.objects.includes(object)),
    );
  };
  const stale = Object.entries(exceptions).flatMap(([tool, list]) =>
    list.flatMap((e) =>
      (e.objects.includes("*") ? ["*"] : e.objects)
        .filter(
          (o) =>
            !findings.some((f) => {
              const [t, c, object] = f.split(" ");
              return t === tool && c === e.check && (o === "*" || object === o);
            }),
        )
        .map((o) => `${tool} ${e.check} ${o}`),
    ),
  );
  return { unlisted: [...new Set(findings.filter((f) => !covered(f)))].sort(), stale };
}

(tools.status === 0 ? describe : describe.skip)("kube-score and checkov on the stacks", () => {
  let findings: Finding[];
  beforeAll(
    async () => {
      // The stack as shipped (NodePorts), and with Ingresses, so both ways out are reviewed.
      const runs = [
        await runProgram("k8s"),
        await runProgram("k8s", {
          kubernetes: {
            expose: "ingress",
            ingressDomain: "lab.example.com",
            clusterIssuer: "ca",
          },
        }),
      ];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-review-"));
      findings = [];
      runs.forEach((run, i) => {
        const file = path.join(dir, `k8s-${i}.yaml`);
        fs.writeFileSync(
          file,
          manifests(run)
            .map((m) => yaml.dump(m, { noRefs: true }))
            .join("---\n"),
        );
        findings.push(...kubeScore(file), ...checkov(file));
      });
      fs.rmSync(dir, { recursive: true, force: true });
      // The images either stack builds (the dev stack builds them; the k8s stack pushes them).
      const built = (await runProgram("dev")).registrations.filter(
        (r) => r.type === "docker-build:index:Image",
      );
      expect(built.length).toBeGreaterThan(0);
      for (const image of built) {
        const dockerfile = path.join(REPO_ROOT, image.inputs.dockerfile.location);
        findings.push(...checkov(dockerfile, "dockerfile"));
      }
    },
    10 * 60 * 1000,
  );

  it("every finding is fixed or listed with its reason in test/review/exceptions.yaml, and every listed one still occurs", () => {
    const exceptions = yaml.load(fs.readFileSync(EXCEPTIONS, "utf8")) as Record<
      string,
      Exception[]
    >;
    for (const list of Object.values(exceptions)) {
      for (const e of list) expect(e.reason?.length ?? 0).toBeGreaterThan(10);
    }
    const result = compare(findings, exceptions);
    if (process.env.DFL_REVIEW_DUMP)
      fs.writeFileSync(process.env.DFL_REVIEW_DUMP, result.unlisted.join("\n"));
    expect(result).toEqual({ unlisted: [], stale: [] });
  });

  it("both reviewers can fail: a privileged pod on a :latest image, and a Dockerfile from :latest, are flagged", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-review-bad-"));
    const file = path.join(dir, "bad.yaml");
    const bad = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "bad", namespace: "x" },
      spec: {
        selector: { matchLabels: { app: "bad" } },
        template: {
          metadata: { labels: { app: "bad" } },
          spec: {
            containers: [
              { name: "bad", image: "nginx:latest", securityContext: { privileged: true } },
            ],
          },
        },
      },
    };
    fs.writeFileSync(file, yaml.dump(bad));
    const dockerfile = path.join(dir, "Dockerfile");
    fs.writeFileSync(dockerfile, "FROM python:latest\nUSER root\n");
    const found = [...kubeScore(file), ...checkov(file), ...checkov(dockerfile, "dockerfile")];
    fs.rmSync(dir, { recursive: true, force: true });
    expect(found).toEqual(
      expect.arrayContaining([
        "kube-score container-image-tag Deployment/bad",
        "checkov CKV_K8S_16 Deployment/bad",
        `checkov CKV_DOCKER_7 Dockerfile/${dockerfile}`,
      ]),
    );
  });
});
