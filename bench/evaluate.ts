/**
 * `npm run bench`: how long each stack takes to evaluate under the mock runtime, and how many
 * resources it registers. A benchmark, not a test: it prints and never fails on time. Each stack runs
 * in its own process (fresh SDK state), compiled to JavaScript first (`npm run bench` runs tsc): under
 * ts-node, source-map lookups for the stack traces the SDK records per resource would dominate.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type * as pulumiType from "@pulumi/pulumi";
import { setLabMocks, stackConfig } from "../test/harness";

const STACKS = ["dev", "k8s"];

async function evaluate(stack: string): Promise<{ ms: number; resources: number }> {
  const pulumi: typeof pulumiType = require("@pulumi/pulumi");
  let resources = 0;
  await setLabMocks(pulumi, stack, () => resources++);
  pulumi.runtime.setAllConfig(stackConfig(stack));
  // Load every module first, so the clock measures the program, not module loading.
  require("../components/lab");
  require("../components/platform");
  const start = process.hrtime.bigint();
  require("../stacks/index");
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, resources };
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only) {
    process.stdout.write(JSON.stringify(await evaluate(only)));
    return;
  }
  console.log("stack  evaluate (ms)  resources");
  for (const stack of STACKS) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, stack], {
      cwd: path.resolve(__dirname, ".."),
      encoding: "utf8",
    });
    if (child.status !== 0) throw new Error(`${stack}: ${child.stderr}`);
    const { ms, resources } = JSON.parse(child.stdout) as { ms: number; resources: number };
    console.log(
      `${stack.padEnd(6)} ${ms.toFixed(0).padStart(13)}  ${String(resources).padStart(9)}`,
    );
  }
  // The memory and CPU time each service took in the last real-services run (npm run e2e),
  // beside its limits.
  for (const [file, what] of [
    ["memory.md", "memory"],
    ["cpu.md", "CPU time"],
  ]) {
    const measured = path.resolve(__dirname, "..", "..", "e2e-report", file);
    const fallback = path.resolve(__dirname, "..", "e2e-report", file);
    const report = [measured, fallback].find((f) => fs.existsSync(f));
    console.log(
      report
        ? `\nMeasured by the last \`npm run e2e\` (${path.relative(process.cwd(), report)}):\n${fs.readFileSync(report, "utf8")}`
        : `\nNo measured ${what} yet: \`npm run e2e\` writes e2e-report/${file}.`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
