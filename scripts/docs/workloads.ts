/**
 * What the documentation says of each stack, read from the program itself: each stack evaluated
 * under the mock runtime in a process of its own (the SDK keeps its state per process), as
 * `npm run plan` does.
 *
 *   node -r ts-node/register/transpile-only scripts/docs/workloads.ts <checkout> <stack>
 */
import { evaluateCheckout } from "../evaluate";
import { runScript } from "../tsChild";

/** A Kubernetes workload whose root filesystem stays writable, with the reason it declares. */
export interface WritableRoot {
  readonly workload: string;
  readonly why: string;
}

const WORKLOADS = /^kubernetes:apps\/v1:(Deployment|StatefulSet)$/;
export const WRITABLE_ROOT_ANNOTATION = "dataflow-lab/writable-root";

/** What the documentation reads of one stack. */
export interface StackFacts {
  /** Its Kubernetes workloads whose root filesystem stays writable (none on Docker). */
  readonly writableRoots: WritableRoot[];
  /** Its stack outputs `urls` and `memoryLimitMiB`. */
  readonly urls: Record<string, string>;
  readonly memoryLimitMiB: { services: Record<string, number>; total: number };
}

async function facts(root: string, stack: string): Promise<StackFacts> {
  const run = await evaluateCheckout(root, stack);
  const writableRoots = run.registrations
    .filter((r) => WORKLOADS.test(r.type))
    .filter(
      (r) => !r.inputs.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem,
    )
    .map((r) => ({
      workload: r.name,
      why: String(r.inputs.metadata.annotations?.[WRITABLE_ROOT_ANNOTATION] ?? ""),
    }))
    .sort((a, b) => a.workload.localeCompare(b.workload));
  return {
    writableRoots,
    urls: run.outputs.urls.value,
    memoryLimitMiB: run.outputs.memoryLimitMiB.value,
  };
}

/** A stack's facts, from a child process evaluating `root`'s program. */
export async function stackFacts(root: string, stack: string): Promise<StackFacts> {
  const r = await runScript(__filename, [root, stack], root);
  if (r.code !== 0) throw new Error(`evaluating the ${stack} stack failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as StackFacts;
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
  facts(root, stack).then(
    (f) => process.stdout.write(JSON.stringify(f)),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
