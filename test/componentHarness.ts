/**
 * Constructs one component under Pulumi's mock runtime, with the stack config merged the way the
 * CLI merges it, and records what it registers. Unlike `runProgram` it loads the SDK once per test
 * file (a fresh module registry is most of a whole-program evaluation's second), so a component
 * test can build many variants cheaply. Same mocks and recording as the program's evaluation.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, type LabConfig } from "../components/config";
import { evaluateProgram, type ProgramRun } from "../scripts/evaluate";
import { withPlainStacks } from "./harness";

/** What `build` made, and everything registered while making it. */
export interface Constructed<T> {
  readonly component: T;
  readonly config: LabConfig;
  readonly registrations: ProgramRun["registrations"];
}

/**
 * Builds with `build` from the stack's config (plus `overrides`) and waits until every registration
 * has been recorded. Runs one after another are independent: each sets the mocks and config anew.
 */
export async function construct<T>(
  stack: string,
  overrides: Record<string, unknown>,
  build: (config: LabConfig) => T,
): Promise<Constructed<T>> {
  let made: { component: T; config: LabConfig } | undefined;
  const run = await withPlainStacks(() =>
    evaluateProgram(pulumi, {
      stack,
      overrides,
      load: () => {
        const config = loadConfig();
        made = { component: build(config), config };
        return {};
      },
    }),
  );
  return { ...made!, registrations: run.registrations };
}

/** An input's value once every output in it resolved, and whether any of it was secret. */
export async function settle(input: unknown): Promise<{ value: any; secret: boolean }> {
  const out = pulumi.output(input) as pulumi.Output<unknown>;
  const secret = await (out as unknown as { isSecret: Promise<boolean> }).isSecret;
  const value = await new Promise((resolve) => out.apply(resolve));
  return { value, secret };
}

/** An input's resolved value. */
export async function value(input: unknown): Promise<any> {
  return (await settle(input)).value;
}
