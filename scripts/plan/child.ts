/**
 * Evaluates one stack of one checkout and writes its redacted plan as JSON. A process per
 * evaluation, because the Pulumi SDK keeps its runtime state per process.
 *
 *   node -r ts-node/register/transpile-only scripts/plan/child.ts <checkout> <stack> <out.json>
 */
import * as fs from "fs";
import { evaluateCheckout } from "../evaluate";
import { toStackPlan } from "./model";

/** This script, for the parent to start (`.ts` under ts-node, `.js` compiled). */
export const CHILD_SCRIPT = __filename;

export async function writeStackPlan(root: string, stack: string, out: string): Promise<void> {
  const run = await evaluateCheckout(root, stack);
  fs.writeFileSync(out, JSON.stringify(toStackPlan(stack, run)));
}

if (require.main === module) {
  const [root, stack, out] = process.argv.slice(2);
  (root && stack && out
    ? writeStackPlan(root, stack, out)
    : Promise.reject(new Error("usage: child.ts <checkout> <stack> <out.json>"))
  ).catch((e: unknown) => {
    // The message only: a config error names the key and the fix; a stack trace adds nothing.
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
