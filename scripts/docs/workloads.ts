/**
 * What the documentation says of the workloads, read from the program itself: each stack evaluated
 * under the mock runtime in a process of its own (the SDK keeps its state per process), as
 * `npm run plan` does.
 *
 *   node -r ts-node/register/transpile-only scripts/docs/workloads.ts <checkout> <stack>
 */
import { spawnSync } from "child_process";
import { createRequire } from "module";
import * as path from "path";
import { evaluateProgram } from "../plan/evaluate";

/** A Kubernetes workload whose root filesystem stays writable, with the reason it declares. */
export interface WritableRoot {
  readonly workload: string;
  readonly why: string;
}

const WORKLOADS = /^kubernetes:apps\/v1:(Deployment|StatefulSet)$/;
export const WRITABLE_ROOT_ANNOTATION = "dataflow-lab/writable-root";

async function writableRoots(root: string, stack: string): Promise<WritableRoot[]> {
  const pulumi = await import("@pulumi/pulumi");
  const load = createRequire(path.join(root, "package.json"));
  const run = await evaluateProgram(pulumi, {
    stack,
    root,
    load: () => load(path.join(root, "stacks", "index")),
  });
  return run.registrations
    .filter((r) => WORKLOADS.test(r.type))
    .filter(
      (r) => !r.inputs.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem,
    )
    .map((r) => ({
      workload: r.name,
      why: String(r.inputs.metadata.annotations?.[WRITABLE_ROOT_ANNOTATION] ?? ""),
    }))
    .sort((a, b) => a.workload.localeCompare(b.workload));
}

/** The k8s stack's writable root filesystems, from a child process evaluating `root`'s program. */
export function stackWritableRoots(root: string, stack = "k8s"): WritableRoot[] {
  const r = spawnSync(
    process.execPath,
    ["-r", require.resolve("ts-node/register/transpile-only"), __filename, root, stack],
    { cwd: root, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`evaluating the ${stack} stack failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as WritableRoot[];
}

/** docs/kubernetes.md's table of the security-context exceptions. */
export function exceptionsTable(rows: readonly WritableRoot[]): string {
  return [
    "| Workload | Exception | Why |",
    "|---|---|---|",
    ...rows.map((r) => {
      if (!r.why) throw new Error(`${r.workload}: a writable root filesystem with no reason`);
      return `| \`${r.workload}\` | writable root filesystem | ${r.why} |`;
    }),
  ].join("\n");
}

if (require.main === module) {
  const [root, stack] = process.argv.slice(2);
  writableRoots(root, stack).then(
    (rows) => process.stdout.write(JSON.stringify(rows)),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
