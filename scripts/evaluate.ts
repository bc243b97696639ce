/**
 * Evaluates the real `stacks/` program under Pulumi's mock runtime, with the stack config merged
 * from Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI merges them, and records every
 * registration. Shared by the graph tests (test/harness.ts), the real-services suite's wiring,
 * `npm run bench`, `npm run plan`, `npm run docs` and `npm run up`'s preflight, so what a reviewer
 * reads in a plan is what the tests assert on.
 */
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as yaml from "js-yaml";
import type * as pulumiType from "@pulumi/pulumi";
import { REPO_ROOT } from "../components/imageTag";

export { REPO_ROOT };
export const PROJECT = "dataflow-lab";

/** Signature key of a secret value in serialized inputs. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Every generated credential under mocks contains this marker, so leaks can be searched for. */
export const MOCK_SECRET_MARKER = "mocksecret";

export interface Registration {
  type: string;
  name: string;
  inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  provider?: string;
  custom?: boolean;
  /** Resource options the engine would see (the mock's newResource does not get these). */
  retainOnDelete: boolean;
  /** Whether a replacement deletes the old resource before creating the new one. */
  deleteBeforeReplace: boolean;
  /** URNs this resource depends on explicitly (`dependsOn`) or through its inputs. */
  dependencies: string[];
  parent: string;
}

export interface ProgramRun {
  registrations: Registration[];
  /** Stack outputs, resolved, with whether each was secret. */
  outputs: Record<string, { value: any; secret: boolean }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(f: (d: { getUrnsList(): string[] }) => void): void };
  getAdditionalsecretoutputsList(): string[];
}

type ProjectDecl = { type?: string; default?: unknown; value?: unknown; secret?: boolean };

/**
 * Config as the CLI passes it: Pulumi.yaml's defaults, then the stack file's values (a stack value
 * replaces the project value of the same key whole), then per-test overrides. Values are strings;
 * objects and lists are JSON-encoded. `root` is the folder holding Pulumi.yaml (another checkout's,
 * for a plan against a base ref).
 */
export function stackConfig(
  stack: string,
  overrides: Record<string, unknown> = {},
  root: string = REPO_ROOT,
): Record<string, string> {
  const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, unknown>;
  };
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
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
 * The `dataflow-lab:` keys {@link stackConfig} merges, decoded back from the CLI's strings: what
 * the program's config loader reads.
 */
export function rawStackConfig(
  stack: string,
  overrides: Record<string, unknown> = {},
  root: string = REPO_ROOT,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stackConfig(stack, overrides, root))) {
    if (!k.startsWith(`${PROJECT}:`)) continue;
    raw[k.slice(PROJECT.length + 1)] = v.startsWith("{") || v.startsWith("[") ? JSON.parse(v) : v;
  }
  return raw;
}

/**
 * What a generated credential resolves to under mocks. The default marks every value, so a leak
 * can be searched for; the real-services suite passes real random values instead.
 */
export type SecretSource = (name: string, inputs: Record<string, unknown>, type: string) => string;
export type MockCreate = (
  args: pulumiType.runtime.MockResourceArgs,
  state: Record<string, unknown>,
) => Promise<Record<string, unknown>> | Record<string, unknown>;
export const markedSecret = (name: string): string => `${MOCK_SECRET_MARKER}-${name}`;

/** One evaluation: which stack, with which config, from which checkout. */
export interface EvaluateOptions {
  readonly stack: string;
  /** Config keys to set (or, with `undefined`, remove) on top of the stack's files. */
  readonly overrides?: Record<string, unknown>;
  /** Folder of Pulumi.yaml and the stack files. @default REPO_ROOT */
  readonly root?: string;
  /** Filled as resources register, so a caller still sees them when the program throws. */
  readonly registrations?: Registration[];
  readonly secret?: SecretSource;
  /**
   * Plays the cloud's part in a create: may throw as a provider would (an object that already
   * exists), or return the outputs to use instead of the mock's (tests of a second `pulumi up`).
   */
  readonly create?: MockCreate;
  /**
   * Loads the program (`stacks/index`) with the module loader the caller's isolation needs: jest's
   * registry in tests, Node's in a plan's child process. Its exports are the stack outputs.
   */
  readonly load: () => unknown;
}

/**
 * Evaluates the program once in the given copy of the SDK. The caller provides isolation (a fresh
 * module registry or a fresh process), since the SDK's runtime state is per process.
 */
export async function evaluateProgram(
  pulumi: typeof pulumiType,
  options: EvaluateOptions,
): Promise<ProgramRun> {
  const registrations = options.registrations ?? [];
  const secret = options.secret ?? markedSecret;
  const requests = new Map<
    string,
    {
      retainOnDelete: boolean;
      deleteBeforeReplace: boolean;
      dependencies: string[];
      parent: string;
    }
  >();
  await setLabMocks(
    pulumi,
    options.stack,
    (args) => {
      const o = requests.get(`${args.type}::${args.name}`);
      registrations.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        provider: args.provider,
        custom: args.custom,
        retainOnDelete: o?.retainOnDelete ?? false,
        deleteBeforeReplace: o?.deleteBeforeReplace ?? false,
        dependencies: o?.dependencies ?? [],
        parent: o?.parent ?? "",
      });
    },
    secret,
    options.create,
  );
  // Record the options of each registration request before the mock monitor handles it.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const deps = new Set(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((d) => d.getUrnsList().forEach((u) => deps.add(u)));
    requests.set(`${req.getType()}::${req.getName()}`, {
      retainOnDelete: req.getRetainondelete(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      dependencies: [...deps].sort(),
      parent: req.getParent(),
    });
    return register(req, cb);
  };
  pulumi.runtime.setAllConfig(stackConfig(options.stack, options.overrides, options.root));
  const program = (await options.load()) as Record<string, unknown>;
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  const outputs: ProgramRun["outputs"] = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = await resolve(pulumi, value);
  }
  return { registrations, outputs };
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
  create?: MockCreate,
): Promise<void> {
  // Which outputs each resource's SDK asks the engine to keep secret (`additionalSecretOutputs`,
  // e.g. RandomPassword's `result`): the engine applies them, the mock runtime ignores them, so
  // they are applied here, and the graph suite states what the real state will hold.
  const secretOutputs = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        onResource(args);
        const mocked = mockState(args.type, args.name, args.inputs, secret);
        // A copy: the default state is the inputs object itself, which onResource recorded.
        const state = { ...(create ? await create(args, mocked) : mocked) };
        for (const key of secretOutputs.get(`${args.type}::${args.name}`) ?? []) {
          if (key in state) state[key] = pulumi.secret(state[key]);
        }
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        throw new Error(`unmocked invoke ${args.token}`);
      },
    },
    PROJECT,
    stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    secretOutputs.set(`${req.getType()}::${req.getName()}`, req.getAdditionalsecretoutputsList());
    return register(req, cb);
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- resource inputs and state are untyped maps */
export function mockState(
  type: string,
  name: string,
  inputs: Record<string, any>,
  secret: SecretSource = markedSecret,
): Record<string, any> {
  switch (type) {
    // Plain values: which of them are secret is the SDK's `additionalSecretOutputs` (above).
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: secret(name, inputs, type), bcryptHash: `bcrypt-${name}` };
    case "docker-build:index:Image": {
      // As the provider reports them: a pushed image's ref carries the digest, a loaded one's is
      // its tag.
      const tag: string = inputs.tags[0];
      const digest = `sha256:${name}`;
      return { ...inputs, digest, ref: inputs.push ? `${tag}@${digest}` : tag };
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
/* eslint-enable @typescript-eslint/no-explicit-any */

async function resolve(
  pulumi: typeof pulumiType,
  value: unknown,
): Promise<{ value: unknown; secret: boolean }> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  const output = value as pulumiType.Output<unknown>;
  const secret = await (output as unknown as { isSecret: Promise<boolean> }).isSecret;
  const resolved = await new Promise((r) => output.apply(r));
  return { value: resolved, secret };
}

/**
 * Evaluates the program of the checkout at `root` in this process, with Node's own loader: for a
 * process of its own (a plan's or the docs' child, the preflight), since the SDK keeps its runtime
 * state per process. The checkout's node_modules is this one's (linked), so its program shares this
 * SDK instance.
 */
export async function evaluateCheckout(root: string, stack: string): Promise<ProgramRun> {
  const pulumi = await import("@pulumi/pulumi");
  const load = createRequire(path.join(root, "package.json"));
  return evaluateProgram(pulumi, {
    stack,
    root,
    load: () => load(path.join(root, "stacks", "index")),
  });
}
