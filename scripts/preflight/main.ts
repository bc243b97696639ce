/**
 * `npm run up`'s check before `pulumi up` (scripts/lab.sh), for a stack whose target is Docker: the
 * stack's config evaluated as `pulumi up` would (a bad value stops here, with its message), then
 * the Docker API asked whether its host can run what that config deploys (checks.ts). Prints one
 * line per problem and exits 1 if there is any; nothing is changed either way.
 *
 *   node -r ts-node/register/transpile-only scripts/preflight/main.ts <stack>
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { evaluateCheckout, rawStackConfig, type ProgramRun } from "../evaluate";
import { problems, type DockerHost, type LabNeeds } from "./checks";

const REPO = path.resolve(__dirname, "../..");
const CONTAINER = "docker:index/container:Container";
const BUILT = "docker-build:index:Image";
const PULLED = "docker:index/remoteImage:RemoteImage";

/** Where the Docker API listens: the config's docker.host, else $DOCKER_HOST, else the socket. */
export function endpoint(configured: string | undefined): string {
  return configured || process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

/** GET `route` of the Docker API at `at` (unix:// or tcp://), as JSON. */
function get(at: string, route: string): Promise<Record<string, unknown>> {
  const target = at.startsWith("unix://")
    ? { socketPath: at.slice("unix://".length) }
    : (() => {
        const u = new URL(at.replace(/^tcp:/, "http:"));
        return { host: u.hostname, port: Number(u.port || 2375) };
      })();
  return new Promise((resolve, reject) => {
    const req = http.get({ ...target, path: route, timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`${route} answered ${res.statusCode}`));
        else {
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new Error(`${route} did not answer JSON`));
          }
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("no answer in 10 s")));
    req.on("error", reject);
  });
}

/** Whether the host has image `ref` (a 404 says it has not). */
async function hasImage(at: string, ref: string): Promise<boolean> {
  return get(at, `/images/${ref}/json`).then(
    () => true,
    (e: Error) => (/answered 404$/.test(e.message) ? false : Promise.reject(e)),
  );
}

/**
 * The free space where the engine keeps images, when its host is this machine: the same host name
 * and its data root here (Docker Desktop's VM and a remote engine have neither).
 */
function localDisk(info: Record<string, unknown>): DockerHost["disk"] {
  const dataRoot = String(info.DockerRootDir ?? "");
  if (info.Name !== os.hostname() || !dataRoot || !fs.existsSync(dataRoot)) return undefined;
  const stats = fs.statfsSync(dataRoot);
  return { dataRoot, freeMiB: Math.floor((stats.bavail * stats.bsize) / 2 ** 20) };
}

export async function dockerHost(at: string, images: readonly string[] = []): Promise<DockerHost> {
  const [version, info] = await Promise.all([get(at, "/version"), get(at, "/info")]);
  const present = await Promise.all(images.map((ref) => hasImage(at, ref)));
  return {
    apiVersion: String(version.ApiVersion),
    cpus: Number(info.NCPU),
    memoryMiB: Math.floor(Number(info.MemTotal) / 2 ** 20),
    images: new Set(images.filter((_, i) => present[i])),
    disk: localDisk(info),
  };
}

/** What the evaluated lab asks of its host: its memory total and each deployed CPU limit. */
export function labNeeds(run: ProgramRun, config: Record<string, unknown>): LabNeeds {
  const deployed = new Set(
    run.registrations
      .filter((r) => r.type === CONTAINER)
      .flatMap((r) => (r.inputs.labels ?? []) as { label: string; value: string }[])
      .filter((l) => l.label === "dataflow-lab.service")
      .map((l) => l.value),
  );
  // A section's service is deployed when a container of it is: `kafkaUi` is `kafka-ui`, `spark`
  // is `spark-master` and `spark-worker`.
  const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const cpus = Object.entries(config).flatMap(([section, fields]) => {
    if (!fields || typeof fields !== "object") return [];
    const name = kebab(section);
    if (![...deployed].some((d) => d === name || d.startsWith(`${name}-`))) return [];
    return Object.entries(fields as Record<string, unknown>)
      .filter(([k]) => /^(cpus|\w+Cpus)$/.test(k) || (section === "spark" && k === "workerCores"))
      .filter(([k]) => k !== "workerCores" || deployed.has("spark-worker"))
      .map(([k, v]) => ({ key: `${section}.${k}`, cpus: Number(v) }));
  });
  const images = [
    ...run.registrations
      .filter((r) => r.type === BUILT)
      .map((r) => ({ ref: String((r.inputs.tags as string[])[0]), built: true })),
    ...run.registrations
      .filter((r) => r.type === PULLED)
      .map((r) => ({ ref: String(r.inputs.name), built: false })),
  ];
  return {
    memoryMiB: (run.outputs.memoryLimitMiB.value as { total: number }).total,
    cpus,
    images,
  };
}

async function main(stack: string): Promise<number> {
  let run: ProgramRun;
  try {
    run = await evaluateCheckout(REPO, stack);
  } catch (e) {
    // The config's own message: every bad key, its value and what is allowed.
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const { parseConfig } = await import("../../components/config");
  const config = parseConfig(rawStackConfig(stack, {}, REPO), stack) as unknown as Record<
    string,
    unknown
  >;
  const at = endpoint((config.docker as { host?: string }).host);
  if (!/^(unix|tcp):\/\//.test(at)) {
    process.stderr.write(
      `preflight: ${at} is not checked here (only unix:// and tcp://); pulumi up connects itself\n`,
    );
    return 0;
  }
  const needs = labNeeds(run, config);
  let host: DockerHost;
  try {
    host = await dockerHost(
      at,
      needs.images.map((i) => i.ref),
    );
  } catch (e) {
    process.stderr.write(
      `preflight: no Docker API at ${at} (${e instanceof Error ? e.message : String(e)}): start Docker, ` +
        `or podman's API (podman system service --time=0 unix:///some/podman.sock) with DOCKER_HOST set to it\n`,
    );
    return 1;
  }
  const found = problems(host, needs);
  for (const p of found) process.stderr.write(`preflight: ${p}\n`);
  if (found.length === 0) {
    process.stderr.write(
      `preflight: the Docker host (API ${host.apiVersion}, ${host.cpus} CPUs, ${host.memoryMiB} MiB) ` +
        `fits the lab (${needs.memoryMiB} MiB of memory limits)` +
        (host.disk
          ? `; ${host.disk.freeMiB} MiB free for images in ${host.disk.dataRoot}\n`
          : "; its disk is not on this machine, not checked\n"),
    );
  }
  return found.length ? 1 : 0;
}

if (require.main === module) {
  const [stack] = process.argv.slice(2);
  if (!stack) {
    process.stderr.write("usage: preflight/main.ts <stack>\n");
    process.exit(2);
  }
  main(stack).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`preflight: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
