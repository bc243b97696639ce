/**
 * Runs the real `stacks/` program under Pulumi's mock runtime, with the stack config merged from
 * Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI merges them, and records every registration.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import type * as pulumiType from "@pulumi/pulumi";
import { REPO_ROOT } from "../components/imageTag";

export { REPO_ROOT };
export const PROJECT = "dataflow-lab";

// Each run loads a fresh copy of the Pulumi SDK, which adds its own process exit listener.
process.setMaxListeners(100);

/** Signature key of a secret value in serialized inputs. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Every generated credential under mocks contains this marker, so leaks can be searched for. */
export const MOCK_SECRET_MARKER = "mocksecret";

export interface Registration {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
  custom?: boolean;
  /** Resource options the engine would see (the mock's newResource does not get these). */
  retainOnDelete: boolean;
  /** URNs this resource depends on explicitly (`dependsOn`) or through its inputs. */
  dependencies: string[];
  parent: string;
}

export interface ProgramRun {
  registrations: Registration[];
  /** Stack outputs, resolved, with whether each was secret. */
  outputs: Record<string, { value: any; secret: boolean }>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getRetainondelete(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(f: (d: { getUrnsList(): string[] }) => void): void };
}

type ProjectDecl = { type?: string; default?: unknown; value?: unknown; secret?: boolean };

/**
 * Config as the CLI passes it: Pulumi.yaml's defaults, then the stack file's values (a stack value
 * replaces the project value of the same key whole), then per-test overrides. Values are strings;
 * objects and lists are JSON-encoded.
 */
export function stackConfig(
  stack: string,
  overrides: Record<string, unknown> = {},
): Record<string, string> {
  const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, unknown>;
  };
  const stackFile = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  const stackValues = fs.existsSync(stackFile)
    ? (((yaml.load(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> })
        ?.config ?? {}) as Record<string, unknown>)
    : {};
  const ns = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
  const encode = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const config: Record<string, string> = {};
  for (const [k, decl] of Object.entries(project.config ?? {})) {
    const d = decl as ProjectDecl;
    if (d !== null && typeof d === "object" && !Array.isArray(d)) {
      if ("value" in d) config[ns(k)] = encode(d.value);
      else if ("default" in d) config[ns(k)] = encode(d.default);
    } else {
      config[ns(k)] = encode(d);
    }
  }
  for (const [k, v] of Object.entries(stackValues)) config[ns(k)] = encode(v);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete config[ns(k)];
    else config[ns(k)] = encode(v);
  }
  return config;
}

/**
 * What a generated credential resolves to under mocks. The default marks every value, so a leak
 * can be searched for; the real-services suite passes real random values instead.
 */
export type SecretSource = (name: string, inputs: Record<string, any>) => string;
const markedSecret: SecretSource = (name) => `${MOCK_SECRET_MARKER}-${name}`;

/** Evaluates the program once; a fresh module registry per run keeps runs independent. */
export async function runProgram(
  stack: string,
  overrides: Record<string, unknown> = {},
  registrations: Registration[] = [],
  secret: SecretSource = markedSecret,
): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  const options = new Map<
    string,
    { retainOnDelete: boolean; dependencies: string[]; parent: string }
  >();
  await jestIsolated(async () => {
    const pulumi: typeof pulumiType = require("@pulumi/pulumi");
    await setLabMocks(
      pulumi,
      stack,
      (args) => {
        const o = options.get(`${args.type}::${args.name}`);
        registrations.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
          custom: args.custom,
          retainOnDelete: o?.retainOnDelete ?? false,
          dependencies: o?.dependencies ?? [],
          parent: o?.parent ?? "",
        });
      },
      secret,
    );
    // Record the options of each registration request before the mock monitor handles it.
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource(req: RegisterRequest, cb: unknown): unknown;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      const deps = new Set(req.getDependenciesList());
      req.getPropertydependenciesMap().forEach((d) => d.getUrnsList().forEach((u) => deps.add(u)));
      options.set(`${req.getType()}::${req.getName()}`, {
        retainOnDelete: req.getRetainondelete(),
        dependencies: [...deps].sort(),
        parent: req.getParent(),
      });
      return register(req, cb);
    };
    pulumi.runtime.setAllConfig(stackConfig(stack, overrides));
    const program = require("../stacks/index");
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const outputs: ProgramRun["outputs"] = {};
    for (const [key, value] of Object.entries(program)) {
      outputs[key] = await resolve(pulumi, value);
    }
    run = { registrations, outputs };
  });
  return run!;
}

/**
 * The lab's mock runtime: every registration goes to `onResource` and gets the engine-computed
 * outputs the program reads (`mockState`); any invoke fails loudly, since the program makes none.
 */
export async function setLabMocks(
  pulumi: typeof pulumiType,
  stack: string,
  onResource: (args: pulumiType.runtime.MockResourceArgs) => void,
  secret: SecretSource = markedSecret,
): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        onResource(args);
        return {
          id: `${args.name}-id`,
          state: mockState(pulumi, args.type, args.name, args.inputs, secret),
        };
      },
      call(args) {
        throw new Error(`unmocked invoke ${args.token}`);
      },
    },
    PROJECT,
    stack,
    false,
  );
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

async function jestIsolated(fn: () => Promise<void>): Promise<void> {
  jest.resetModules();
  await fn();
}

export function mockState(
  pulumi: typeof pulumiType,
  type: string,
  name: string,
  inputs: Record<string, any>,
  secret: SecretSource = markedSecret,
): Record<string, any> {
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      return { ...inputs, result: pulumi.secret(secret(name, inputs)) };
    case "random:index/randomId:RandomId": {
      // Not secret by itself: the program marks what must be.
      if (secret === markedSecret) {
        return { ...inputs, hex: `${MOCK_SECRET_MARKER}${name}`, b64Url: `mockid-${name}` };
      }
      const bytes = Buffer.from(secret(name, inputs), "hex");
      return { ...inputs, hex: bytes.toString("hex"), b64Url: bytes.toString("base64url") };
    }
    case "docker:index/image:Image":
      return {
        ...inputs,
        repoDigest: `${inputs.imageName.slice(0, inputs.imageName.lastIndexOf(":"))}@sha256:${name}`,
      };
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:${name}`, repoDigest: `${inputs.name}@sha256:0` };
    default:
      if (type.startsWith("kubernetes:") && inputs.metadata && !inputs.metadata.name) {
        // The engine autonames these; the mock gives a stable stand-in.
        return { ...inputs, metadata: { ...inputs.metadata, name: `${name}-autonamed` } };
      }
      return inputs;
  }
}

async function resolve(
  pulumi: typeof pulumiType,
  value: unknown,
): Promise<{ value: any; secret: boolean }> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  const output = value as pulumiType.Output<unknown>;
  const secret = await (output as unknown as { isSecret: Promise<boolean> }).isSecret;
  const resolved = await new Promise((r) => output.apply(r));
  return { value: resolved, secret };
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

/** Sorted, redacted inventory a reviewer can read like a preview. */
export function inventory(run: ProgramRun): { type: string; name: string; inputs: unknown }[] {
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
  return run.registrations
    .map((r) => ({ type: r.type, name: r.name, inputs: redact(r.inputs) }))
    .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));
}
