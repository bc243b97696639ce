/**
 * `npm run plan`: each stack's resources as a reviewer reads a preview, from the mock runtime (no
 * backend, no cloud account, no Docker). With `--base <git ref>`, the diff from that ref's program
 * to this checkout's, per stack.
 *
 *   npm run plan [-- --stack dev|k8s] [--base <git ref>] [--out plan.md]
 *
 * Prints Markdown; exits 1 if a stack's program fails (the document then says why).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkoutBase, type BaseTree } from "./baseTree";
import { CHILD_SCRIPT } from "./child";
import { diffPlans } from "./diff";
import { REPO_ROOT } from "../evaluate";
import { runScript } from "../tsChild";
import type { StackPlan } from "./model";
import { renderDocument, type StackResult } from "./render";

export const STACKS = ["dev", "k8s"] as const;

export const USAGE = `usage: npm run plan [-- --stack dev|k8s] [--base <git ref>] [--out plan.md]

Each stack's resources as a reviewer reads a preview, from the mock runtime (no backend, no cloud
account, no Docker). Prints Markdown; exits 1 if a stack's program fails (the document says why).

  --stack dev|k8s   one stack only (default: both)
  --base <git ref>  the diff from that ref's program to this checkout's, per stack
  --out <file>      write the document there instead of standard output
  --help            this text
`;

export interface PlanArgs {
  readonly stacks: string[];
  readonly base?: string;
  readonly out?: string;
  /** Print {@link USAGE} and nothing else. */
  readonly help?: boolean;
}

export function parseArgs(argv: string[]): PlanArgs {
  let stacks: string[] = [...STACKS];
  let base: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return { stacks, help: true };
    if (arg === "--stack") {
      const s = value();
      if (!(STACKS as readonly string[]).includes(s)) {
        throw new Error(`--stack must be one of ${STACKS.join(", ")}, got '${s}'`);
      }
      stacks = [s];
    } else if (arg === "--base") base = value();
    else if (arg === "--out") out = value();
    else throw new Error(`unknown argument '${arg}' (use --stack, --base, --out, --help)`);
  }
  return { stacks, base, out };
}

/** Evaluates every stack on both sides (two processes at a time) and renders the document. */
export async function plan(
  args: PlanArgs,
  repo: string = REPO_ROOT,
): Promise<{
  markdown: string;
  failed: boolean;
  /** Each evaluation's plan, by side and stack (for tests that compare across processes). */
  plans: { side: "head" | "base"; stack: string; plan: StackPlan }[];
}> {
  let tree: BaseTree | undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-plan-out-"));
  try {
    if (args.base) tree = checkoutBase(args.base, repo);
    const jobs = args.stacks.flatMap((stack) => [
      { side: "head" as const, stack, root: repo },
      ...(tree ? [{ side: "base" as const, stack, root: tree.root }] : []),
    ]);
    const results = await pool(jobs, 2, (j, i) =>
      evaluateInChild(j.root, j.stack, path.join(work, `${i}.json`)),
    );
    const find = (side: "head" | "base", stack: string) =>
      results[jobs.findIndex((j) => j.side === side && j.stack === stack)];
    const stacks: StackResult[] = args.stacks.map((stack) => {
      const head = find("head", stack);
      const base = tree ? find("base", stack) : undefined;
      if ("error" in head) return { stack, error: head.error };
      if (base && "error" in base) {
        return {
          stack,
          error: `the base (${args.base}) failed, so there is nothing to compare:\n${base.error}`,
        };
      }
      return { stack, diff: diffPlans(base?.plan, head.plan) };
    });
    const markdown = renderDocument({
      base: tree ? { ref: tree.ref, commit: tree.commit } : undefined,
      stacks,
    });
    const plans = jobs.flatMap((j, i) => {
      const r = results[i];
      return "plan" in r ? [{ side: j.side, stack: j.stack, plan: r.plan }] : [];
    });
    return { markdown, failed: stacks.some((s) => "error" in s), plans };
  } finally {
    tree?.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

type Evaluated = { plan: StackPlan } | { error: string };

async function evaluateInChild(root: string, stack: string, out: string): Promise<Evaluated> {
  // The child compiles the program as this process does (under ts-node, types unchecked): tsc
  // already checks this checkout, and a base ref was checked when it was merged.
  const r = await runScript(CHILD_SCRIPT, [root, stack, out], root);
  return r.code === 0
    ? { plan: JSON.parse(fs.readFileSync(out, "utf8")) as StackPlan }
    : // The end of what it said: a config error is short, a crash's last lines say where.
      { error: r.stderr.trim().split("\n").slice(-60).join("\n") || `exited with ${r.code}` };
}

async function pool<T, R>(
  items: T[],
  size: number,
  run: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

if (require.main === module) {
  (async () => {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(USAGE);
      return;
    }
    const { markdown, failed } = await plan(args);
    if (args.out) fs.writeFileSync(args.out, markdown);
    else process.stdout.write(markdown);
    process.exit(failed ? 1 : 0);
  })().catch((e: unknown) => {
    process.stderr.write(`plan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
