/**
 * Runs the real `stacks/` program under Pulumi's mock runtime, with the stack config merged from
 * Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI merges them, and records every registration.
 */
import type * as pulumiType from "@pulumi/pulumi";
import {
  SECRET_SIG,
  evaluateProgram,
  markedSecret,
  type ProgramRun,
  type Registration,
  type MockCreate,
  type SecretSource,
} from "../scripts/evaluate";

// The config merge and the mock runtime live in scripts/evaluate.ts, shared with `npm run plan`,
// `npm run bench`, `npm run docs` and the preflight; re-exported here so the suites import one module.
export {
  MOCK_SECRET_MARKER,
  PROJECT,
  markedSecret,
  REPO_ROOT,
  SECRET_SIG,
  mockState,
  setLabMocks,
  stackConfig,
  type ProgramRun,
  type Registration,
  type MockCreate,
  type SecretSource,
} from "../scripts/evaluate";

// Each run loads a fresh copy of the Pulumi SDK, which adds its own process exit listener.
process.setMaxListeners(100);

/** Evaluates the program once; a fresh module registry per run keeps runs independent. */
export async function runProgram(
  stack: string,
  overrides: Record<string, unknown> = {},
  registrations: Registration[] = [],
  secret: SecretSource = markedSecret,
  create?: MockCreate,
): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jestIsolated(async () => {
    const pulumi: typeof pulumiType = require("@pulumi/pulumi");
    run = await evaluateProgram(pulumi, {
      stack,
      overrides,
      registrations,
      secret,
      create,
      load: () => require("../stacks/index"),
    });
  });
  return run!;
}

/** Evaluates the program expecting it to fail; returns the error and what was registered first. */
export async function programError(
  stack: string,
  overrides: Record<string, unknown>,
): Promise<{ error: Error; registered: Registration[] }> {
  const registered: Registration[] = [];
  try {
    await runProgram(stack, overrides, registered);
  } catch (e) {
    return { error: e as Error, registered };
  }
  throw new Error("the program accepted the config");
}

/**
 * A dynamic resource's provider (the lake's buckets) is serialized for the engine, which the mock
 * runtime never runs; serializing it (TypeScript's parser and an inspector session, loaded anew in
 * each fresh registry) cost a second per evaluation. The graph suite records a stand-in instead,
 * and test/lakeBucket.test.ts serializes the real provider once and loads it.
 */
export const PROVIDER_CODE = "[dynamic provider code, serialized by pulumi up]";

/**
 * What the SDK's closure code-path finder would be: it packages a function's node_modules for the
 * engine, which only `serializeFunction` with a real engine needs. Loading it pulls in
 * @npmcli/arborist (about 500 of the SDK's 765 modules, half of each evaluation's load time), so
 * the graph suite loads a stand-in that fails loudly if anything ever calls it.
 */
function codePathsStandIn() {
  return {
    computeCodePaths: async () => {
      throw new Error("computeCodePaths is not loaded in the graph suite (see test/harness.ts)");
    },
  };
}

/**
 * Runs `fn` with stack traces formatted as V8 does by default. The SDK records a trace for every
 * output promise and every resource (`new Error().stack`, the latter with no frame limit), and
 * under jest each frame otherwise goes through jest's source-map support: about a third of an
 * evaluation's CPU time. The mock runtime never reads those traces; the cost is that an error
 * thrown during an evaluation points into ts-jest's compiled output rather than the .ts line.
 * Node consults the error's own realm's `Error.prepareStackTrace` before the main realm's (where
 * jest installs its hook), so setting it here takes effect for the program's modules too.
 */
export async function withPlainStacks<T>(fn: () => Promise<T>): Promise<T> {
  const realm = Error as { prepareStackTrace?: unknown };
  const saved = realm.prepareStackTrace;
  realm.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
    [String(error), ...frames.map((f) => `    at ${f}`)].join("\n");
  try {
    return await fn();
  } finally {
    realm.prepareStackTrace = saved;
  }
}

async function jestIsolated(fn: () => Promise<void>): Promise<void> {
  jest.resetModules();
  jest.doMock("@pulumi/pulumi/runtime/closure/serializeClosure", () => ({
    serializeFunction: async () => ({
      text: PROVIDER_CODE,
      exportName: "handler",
      containsSecrets: false,
    }),
  }));
  jest.doMock("@pulumi/pulumi/runtime/closure/codePaths", codePathsStandIn);
  await withPlainStacks(fn);
}

/** Removes secret envelopes, for assertions on the values inside. */
export function unsecret(v: any): any {
  if (Array.isArray(v)) return v.map(unsecret);
  if (v && typeof v === "object") {
    if (SECRET_SIG in v) return unsecret(v.value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsecret(x)]));
  }
  return v;
}

/** Whether a serialized input is a secret envelope. */
export function isSecret(v: unknown): boolean {
  return !!v && typeof v === "object" && SECRET_SIG in (v as object);
}

/** Paths of strings containing `needle` outside any secret envelope. */
export function plaintextPaths(v: any, needle: string, at = ""): string[] {
  if (typeof v === "string") return v.includes(needle) ? [at] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => plaintextPaths(x, needle, `${at}[${i}]`));
  if (v && typeof v === "object") {
    if (SECRET_SIG in v) return [];
    return Object.entries(v).flatMap(([k, x]) => plaintextPaths(x, needle, `${at}.${k}`));
  }
  return [];
}

/** Whether `r` depends on the resource of that type and name (mock URNs end in `type::name`). */
export function dependsOn(r: Registration, type: string, name: string): boolean {
  return r.dependencies.some((urn) => urn.endsWith(`${type}::${name}`));
}

export function ofType(run: ProgramRun, type: string): Registration[] {
  return run.registrations
    .filter((r) => r.type === type)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function one(run: ProgramRun, type: string, name: string): Registration {
  const found = run.registrations.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  }
  return found[0];
}

/**
 * A parent's URN without its `urn:pulumi:<stack>::<project>::` prefix: the parent chain's types and
 * the parent's name, which is what a child's own URN derives from (a changed one needs an alias).
 */
function parentOf(r: Registration): string {
  return r.parent.replace(/^urn:pulumi:[^:]*::[^:]*::/, "");
}

/**
 * Sorted, redacted inventory a reviewer can read like a preview; each resource names its parent,
 * so a child moved to another component shows in review.
 */
export function inventory(
  run: ProgramRun,
): { type: string; name: string; parent: string; inputs: unknown }[] {
  const redact = (v: any): any => {
    if (Array.isArray(v)) return v.map(redact);
    if (v && typeof v === "object") {
      if (SECRET_SIG in v) return "[secret]";
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, redact(v[k])]),
      );
    }
    return v;
  };
  // A dynamic resource's serialized provider is compiled code, not configuration.
  const inputs = (r: Registration) =>
    "__provider" in r.inputs ? { ...r.inputs, __provider: "[provider code]" } : r.inputs;
  return run.registrations
    .map((r) => ({ type: r.type, name: r.name, parent: parentOf(r), inputs: redact(inputs(r)) }))
    .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));
}
