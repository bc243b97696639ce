/**
 * The real engine: the Pulumi CLI and the real provider plugins run the program, as a user's
 * `npm run up` does, on a throwaway file backend. `pulumi preview` of both stacks, then a real
 * `up` → `destroy` → `up` of the dev stack against a Docker API (podman here, test/engine/podman.sh)
 * with every image this machine can build, the state searched for every generated credential.
 *
 * What the mock runtime cannot show is the point: the engine's rules (default providers), what a
 * provider stores in plaintext, perpetual diffs, and what really survives `pulumi destroy`.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { runProgram, REPO_ROOT } from "../harness";
import {
  buildMinioImage,
  failure,
  missingPrerequisites,
  ContainerHost,
  projectCopy,
  pulumiEnv,
  runAsync,
  scratch,
} from "./engine";
import {
  changeLines,
  plaintextAt,
  resourceKey,
  revealed,
  withDependents,
  baseImages,
  type PlannedStep,
  type Preview,
  type StateResource,
} from "./steps";

const missing = missingPrerequisites();
if (missing && process.env.CI === "true") {
  throw new Error(`CI=true, but the real-engine suite needs ${missing}`);
}
if (missing) process.stderr.write(`SKIP engine: needs ${missing}, which this machine lacks\n`);
const describeEngine = missing ? describe.skip : describe;

/**
 * The dev stack's config under a stack of the suite's own: its containers, volumes and labels
 * (`dataflow-lab-engine-*`) never touch a developer's own `dev` lab on the same Docker host.
 */
const ENGINE = "engine";
/** The stack each preview stands for, and the stack it runs as. */
const AS: Record<string, string> = { dev: ENGINE, k8s: "k8s" };
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const BUILT_IMAGE = "docker-build:index:Image";
const LAKE_BUCKET = "pulumi-nodejs:dynamic/storage:LakeBucket";
const PROBE_OBJECT = {
  bucket: "bronze",
  key: "engine-test/kept.txt",
  body: "kept through destroy",
};

/** MinIO's pinned image, as Pulumi.yaml declares it (the program's default). */
function pinnedMinioImage(): string {
  const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { value?: { image?: string } }>;
  };
  return project.config.minio.value!.image!;
}

describeEngine("the real Pulumi engine and providers", () => {
  let work: string;
  let project: string;
  let host: ContainerHost;
  let env: NodeJS.ProcessEnv;
  const previews: Record<string, Preview> = {};
  let excluded: string[] = [];
  let notCreated: Set<string>;

  /** `scripts/lab.sh` of the copy: the user's own entry point, on the suite's backend. */
  const lab = (args: string[], timeoutMs?: number) =>
    runAsync("bash", [path.join(project, "scripts/lab.sh"), ...args], {
      cwd: project,
      env,
      timeoutMs,
    });
  const pulumi = (args: string[]) => lab(["pulumi", ...args]);
  const must = async (args: string[], timeoutMs?: number) => {
    const r = await lab(args, timeoutMs);
    if (r.status !== 0) throw new Error(failure(`lab.sh ${args.join(" ")}`, r));
    return r.stdout;
  };
  const exported = async (showSecrets: boolean) =>
    must([
      "pulumi",
      "stack",
      "export",
      "--stack",
      ENGINE,
      ...(showSecrets ? ["--show-secrets"] : []),
    ]);
  const resources = async (showSecrets = false): Promise<StateResource[]> =>
    (revealed(JSON.parse(await exported(showSecrets))) as { deployment: { resources?: [] } })
      .deployment.resources ?? [];
  const upDev = (extra: string[] = []) =>
    lab(
      [
        "up",
        ENGINE,
        "--yes",
        "--skip-preview",
        ...excluded.flatMap((u) => ["--exclude", u]),
        "--exclude-dependents",
        ...extra,
      ],
      20 * 60_000,
    );

  beforeAll(async () => {
    work = scratch();
    project = projectCopy(fs.mkdtempSync(path.join(work, "project-")));
    fs.copyFileSync(
      path.join(project, "Pulumi.dev.yaml"),
      path.join(project, `Pulumi.${ENGINE}.yaml`),
    );
    host = ContainerHost.connect(path.join(work, "podman"));
    host.removeLab(ENGINE);
    buildMinioImage(host, pinnedMinioImage(), work);
    env = { ...pulumiEnv().env!, ...host.vars, DATAFLOW_LAB_HOME: path.join(work, "home") };
    // The suite's own backend and passphrase, made by lab.sh, never a user's.
    for (const k of [
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
      "PULUMI_CONFIG_PASSPHRASE_FILE",
    ]) {
      delete env[k];
    }
    host.startHealthChecks();
  }, 40 * 60_000);

  afterAll(async () => {
    if (!host) return;
    try {
      await lab(["destroy", ENGINE, "--yes"]);
      host.removeLab(ENGINE);
    } finally {
      host.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 10 * 60_000);

  it.each(["dev", "k8s"])(
    "pulumi preview of the %s config: no error or warning, and exactly the graph suite's resources",
    async (config) => {
      const stack = AS[config];
      await must(["pulumi", "stack", "init", stack, "--secrets-provider", "passphrase"]);
      if (config === "dev" && !hasStartInterval(host)) {
        // What `npm run up` does on a Docker API below 1.44 (lab.sh), so the preview is the up's.
        await must([
          "pulumi",
          "config",
          "set",
          "--path",
          "docker.healthStartInterval",
          "false",
          "--stack",
          stack,
        ]);
      }
      const started = Date.now();
      const r = await pulumi(["preview", "--stack", stack, "--json", "--non-interactive"]);
      if (r.status !== 0) throw new Error(failure(`pulumi preview -s ${stack}`, r));
      const preview = JSON.parse(r.stdout) as Preview;
      previews[config] = preview;
      const serious = (preview.diagnostics ?? []).filter((d) => d.severity !== "info");
      expect(serious).toEqual([]);

      const podman = config === "dev" ? { docker: { healthStartInterval: false } } : {};
      const graph = await runProgram(config, hasStartInterval(host) ? {} : podman);
      const planned = preview.steps
        .map((s) => resourceKey(s.urn))
        .filter((k) => k !== `pulumi:pulumi:Stack::dataflow-lab-${stack}`)
        .sort();
      expect(planned).toEqual(graph.registrations.map((g) => `${g.type}::${g.name}`).sort());
      expect(preview.steps.every((s) => s.op === "create")).toBe(true);
      process.stderr.write(
        `engine: pulumi preview -s ${stack} (${config}'s config): ${planned.length} resources planned, as the graph ` +
          `suite registers them, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    },
    10 * 60_000,
  );

  it(
    "pulumi up of the dev config creates every resource whose image this machine has (MinIO, its users, policies and buckets for real)",
    async () => {
      const steps = previews.dev.steps;
      // No registry is reachable: an image the program pins exists here only if built locally.
      // A pulled image must be there under its pinned name; a built one needs its base images.
      const needs = (s: PlannedStep): string[] =>
        s.newState?.type === REMOTE_IMAGE
          ? [String(s.newState.inputs!.name)]
          : s.newState?.type === BUILT_IMAGE
            ? baseImages(
                fs.readFileSync(
                  path.join(project, String(s.newState.inputs!.dockerfile!.location)),
                  "utf8",
                ),
              )
            : [];
      excluded = steps
        .filter((s) => needs(s).some((image) => !host.imageExists(image)))
        .map((s) => s.urn);
      notCreated = withDependents(steps, excluded);
      const started = Date.now();
      const r = await upDev();
      if (r.status !== 0) throw new Error(failure(`lab.sh up ${ENGINE}`, r));
      // lab.sh's preflight asked the real Docker API (podman's here) and found the host big enough,
      // its disk too (podman's engine runs on this machine).
      expect(r.stderr).toMatch(
        /preflight: the Docker host \(API [\d.]+, \d+ CPUs, \d+ MiB\) fits the lab \(\d+ MiB of memory limits\); \d+ MiB free for images in \/\S+/,
      );

      const created = (await resources()).map((x) => x.urn);
      const expected = steps.map((s) => s.urn).filter((u) => !notCreated.has(u));
      expect([...created].sort()).toEqual(
        expect.arrayContaining(
          expected.filter((u) => !u.endsWith(`::dataflow-lab-${ENGINE}`)).sort(),
        ),
      );
      expect(created.filter((u) => notCreated.has(u))).toEqual([]);
      const keys = created.map(resourceKey);
      expect(keys).toEqual(
        expect.arrayContaining([
          "docker:index/container:Container::minio",
          "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::spark",
          "minio:index/s3BucketVersioning:S3BucketVersioning::bronze",
          ...["bronze", "silver", "gold"].map((b) => `${LAKE_BUCKET}::${b}`),
        ]),
      );
      process.stderr.write(
        `engine: pulumi up -s ${ENGINE} (dev's config): ${created.length} resources created in ` +
          `${((Date.now() - started) / 1000).toFixed(0)} s; not created (no local image): ` +
          `${[...notCreated].map(resourceKey).sort().join(", ")}\n`,
      );
    },
    30 * 60_000,
  );

  it(
    "the state holds no generated credential in plaintext",
    async () => {
      const generated = (await resources(true))
        .filter((x) => x.type.startsWith("random:index/"))
        .flatMap((x) => ["result", "hex", "base64", "bcryptHash"].map((k) => x.outputs?.[k]))
        .filter((v): v is string => typeof v === "string");
      // Sixteen generated credentials (each with a bcrypt hash), read through --show-secrets.
      expect(generated.length).toBeGreaterThanOrEqual(32);
      expect(plaintextAt(await resources(false), generated)).toEqual([]);
      process.stderr.write(
        `engine: stack export: none of ${generated.length} generated values in plaintext\n`,
      );
    },
    5 * 60_000,
  );

  it(
    "after up, a preview shows no changes and a second up changes nothing (no perpetual diff)",
    async () => {
      const preview = await pulumi([
        "preview",
        "--stack",
        ENGINE,
        "--expect-no-changes",
        "--diff",
        ...excluded.flatMap((u) => ["--exclude", u]),
        "--exclude-dependents",
      ]);
      if (preview.status !== 0) {
        const changes = changeLines(preview.stdout);
        throw new Error(`${failure("pulumi preview --expect-no-changes", preview)}\n${changes}`);
      }
      const again = await upDev(["--expect-no-changes"]);
      if (again.status !== 0)
        throw new Error(failure(`lab.sh up ${ENGINE} --expect-no-changes`, again));
    },
    20 * 60_000,
  );

  it(
    "a bucket removed by hand: pulumi refresh takes it out of the state, and the next up creates it again",
    async () => {
      const state = await resources(true);
      const client = minioClient(
        generated(state, "minio-root-user"),
        generated(state, "minio-root-password"),
      );
      // gold holds nothing yet: an empty bucket a person may well remove.
      await client.removeBucket("gold");
      const refresh = await pulumi(["refresh", "--stack", ENGINE, "--yes", "--skip-preview"]);
      if (refresh.status !== 0) throw new Error(failure("pulumi refresh", refresh));
      const gold = (await resources()).filter(
        (x) => x.type === LAKE_BUCKET && x.urn.endsWith("::gold"),
      );
      expect(gold).toEqual([]);
      const r = await upDev();
      if (r.status !== 0) throw new Error(failure(`lab.sh up ${ENGINE} (after refresh)`, r));
      expect(await client.bucketExists("gold")).toBe(true);
      const back = (await resources()).find(
        (x) => x.type === LAKE_BUCKET && x.urn.endsWith("::gold"),
      );
      expect(back?.outputs?.adopted).toBe(false);
    },
    10 * 60_000,
  );

  it(
    "a PostgreSQL image of another major is refused at preview, naming the key and both majors; postgres.allowMajorChange lets it through",
    async () => {
      const set = (key: string, value: string) =>
        must(["pulumi", "config", "set", "--path", key, value, "--stack", ENGINE]);
      const preview = () =>
        pulumi([
          "preview",
          "--stack",
          ENGINE,
          "--non-interactive",
          ...excluded.flatMap((u) => ["--exclude", u]),
          "--exclude-dependents",
        ]);
      const recorded = String(
        (await resources()).find((x) => x.urn.endsWith("::postgres-data-version"))?.outputs?.major,
      );
      const other = recorded === "17" ? "16" : "17";
      await set("postgres.image", `postgres:${other}.9-bookworm`);
      try {
        const refused = await preview();
        expect(refused.status).not.toBe(0);
        expect(refused.stdout + refused.stderr).toContain(
          `postgres.image is PostgreSQL ${other}, but this stack's PostgreSQL data was written by PostgreSQL ${recorded}`,
        );
        await set("postgres.allowMajorChange", "true");
        const allowed = await preview();
        if (allowed.status !== 0)
          throw new Error(failure("pulumi preview (allowMajorChange)", allowed));
      } finally {
        await must(["pulumi", "config", "rm", "--path", "postgres.image", "--stack", ENGINE]);
        await must([
          "pulumi",
          "config",
          "rm",
          "--path",
          "postgres.allowMajorChange",
          "--stack",
          ENGINE,
        ]);
      }
    },
    10 * 60_000,
  );

  it(
    "pulumi destroy keeps the volumes and the buckets' objects; the next up finds them with new credentials",
    async () => {
      const before = await resources(true);
      const user = generated(before, "minio-root-user");
      await putProbe(user, generated(before, "minio-root-password"));
      const volumes = before
        .filter((x) => x.type === "docker:index/volume:Volume")
        .map((x) => String(x.outputs!.name))
        .sort();
      expect(volumes.length).toBeGreaterThan(0);

      await must(["destroy", ENGINE, "--yes"], 20 * 60_000);
      expect(await resources()).toEqual([]);
      const kept = host
        .exec(["volume", "ls", "-q", "--filter", `label=dataflow-lab.stack=${ENGINE}`])
        .split("\n")
        .filter(Boolean)
        .sort();
      expect(kept).toEqual(volumes);

      const r = await upDev();
      if (r.status !== 0) throw new Error(failure(`lab.sh up ${ENGINE} (after destroy)`, r));
      const after = await resources(true);
      const again = (name: string) => generated(after, name);
      expect(again("minio-root-user")).not.toBe(user);
      expect(await getProbe(again("minio-root-user"), again("minio-root-password"))).toBe(
        PROBE_OBJECT.body,
      );
      const buckets = after.filter((x) => x.type === LAKE_BUCKET);
      expect(buckets.length).toBeGreaterThanOrEqual(3);
      expect(buckets.filter((b) => b.outputs?.adopted !== true).map((b) => b.urn)).toEqual([]);
    },
    40 * 60_000,
  );
});

/** A generated credential's value in an exported state (read with --show-secrets), by its name. */
function generated(state: StateResource[], name: string): string {
  return String(state.find((x) => x.urn.endsWith(`::${name}`))!.outputs!.result);
}

/** Whether the Docker API takes health checks' start_interval (1.44+); podman's (1.41) does not. */
function hasStartInterval(p: ContainerHost): boolean {
  const [major, minor] = p.dockerApiVersion().split(".").map(Number);
  return major > 1 || (major === 1 && minor >= 44);
}

function minioClient(accessKey: string, secretKey: string) {
  const Minio = require("minio");
  return new Minio.Client({
    endPoint: "127.0.0.1",
    port: 9000,
    useSSL: false,
    accessKey,
    secretKey,
  });
}

async function putProbe(accessKey: string, secretKey: string): Promise<void> {
  await minioClient(accessKey, secretKey).putObject(
    PROBE_OBJECT.bucket,
    PROBE_OBJECT.key,
    Buffer.from(PROBE_OBJECT.body),
  );
}

async function getProbe(accessKey: string, secretKey: string): Promise<string> {
  const stream = await minioClient(accessKey, secretKey).getObject(
    PROBE_OBJECT.bucket,
    PROBE_OBJECT.key,
  );
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}
