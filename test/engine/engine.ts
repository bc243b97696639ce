/**
 * What the real-engine suite runs on: the Pulumi CLI and its plugins, a scratch copy of the project
 * with its own file backend, and a Docker API (a running daemon, else podman's). Each piece says
 * why it is missing instead of failing obscurely, so the suite can skip with that reason (or fail,
 * under CI=true).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assignments, run, tail } from "../command";
import { REPO_ROOT } from "../harness";

/** The prebuilt engine beside the repository (../shared/tools/pulumi), for machines without one. */
const SHARED_TOOLS = path.join(REPO_ROOT, "..", "shared", "tools", "pulumi", "install.sh");
const ok = (cmd: string, args: string[], env = process.env) =>
  spawnSync(cmd, args, { env, timeout: 60_000 }).status === 0;

/**
 * The environment that runs `pulumi`: the one on PATH (a user's or a CI runner's ordinary
 * install), else the offline tools' (install.sh prints `export K="V"` lines).
 */
export function pulumiEnv(): { env?: NodeJS.ProcessEnv; missing?: string } {
  // Once per run: the prerequisite check and the suite's setup both ask.
  cachedPulumiEnv ??= findPulumi();
  return cachedPulumiEnv;
}
let cachedPulumiEnv: ReturnType<typeof pulumiEnv> | undefined;

function findPulumi(): { env?: NodeJS.ProcessEnv; missing?: string } {
  if (ok("pulumi", ["version"])) return { env: { ...process.env } };
  if (!fs.existsSync(SHARED_TOOLS)) {
    return { missing: `the Pulumi CLI (not on PATH, and no ${SHARED_TOOLS})` };
  }
  const r = spawnSync("bash", [SHARED_TOOLS], { encoding: "utf8" });
  if (r.status !== 0) return { missing: `the Pulumi CLI (${SHARED_TOOLS}: ${r.stderr.trim()})` };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [, key, value] of r.stdout.matchAll(/^export (\w+)="(.*)"$/gm)) {
    env[key] = value.replace(/\$(\w+)/g, (_, k: string) => env[k] ?? "");
  }
  return ok("pulumi", ["version"], env) ? { env } : { missing: "a working Pulumi CLI" };
}

/** What this machine lacks for the suite, or undefined when it has everything. */
export function missingPrerequisites(): string | undefined {
  const cli = pulumiEnv();
  if (cli.missing) return cli.missing;
  for (const tool of ["curl", "go", "git"]) {
    if (!ok("sh", ["-c", `command -v ${tool}`])) return `${tool} (npm run prereqs installs it)`;
  }
  if (dockerDaemon()) return undefined;
  if (process.platform !== "linux" || process.getuid?.() !== 0) {
    return "a running Docker daemon, or root on Linux for podman's Docker API";
  }
  for (const tool of ["podman", "runc"]) {
    if (!ok("sh", ["-c", `command -v ${tool}`])) return `${tool} (npm run prereqs installs it)`;
  }
  return undefined;
}

/**
 * A copy of the project as git sees it (tracked files and untracked ones not ignored, so a
 * developer's uncommitted change is what runs), sharing node_modules. `pulumi stack init` writes
 * each stack's encryption salt into Pulumi.<stack>.yaml: in the copy, never in the repository.
 */
export function projectCopy(into: string): string {
  const files = run("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: REPO_ROOT })
    .stdout.split("\0")
    .filter((f) => f && fs.existsSync(path.join(REPO_ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.join(into, path.dirname(f)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, f), path.join(into, f));
  }
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(into, "node_modules"));
  return into;
}

/**
 * The Docker API the suite deploys to: a running Docker daemon if there is one (a user's machine, a
 * GitHub runner), else podman's, started on a socket of the suite's own (test/engine/podman.sh).
 */
export class ContainerHost {
  /** The CLI that manages this host's images, volumes and containers. */
  readonly cli: "docker" | "podman";
  /** DOCKER_HOST and CONTAINERS_CONF for podman; nothing for a daemon found as it is. */
  readonly vars: Record<string, string>;
  readonly env: NodeJS.ProcessEnv;
  private healthLoop?: NodeJS.Timeout;

  private constructor(
    cli: "docker" | "podman",
    vars: Record<string, string>,
    private readonly dir?: string,
  ) {
    this.cli = cli;
    this.vars = vars;
    this.env = { ...process.env, ...vars };
  }

  static connect(dir: string): ContainerHost {
    if (dockerDaemon()) return new ContainerHost("docker", {});
    const out = run("bash", [path.join(__dirname, "podman.sh"), "start", dir]).stdout;
    return new ContainerHost("podman", assignments(out), dir);
  }

  exec(args: string[]): string {
    return run(this.cli, args, { env: this.env }).stdout.trim();
  }

  /** The Docker API version the host serves, as the docker provider negotiates it. */
  dockerApiVersion(): string {
    if (this.cli === "docker") return this.exec(["version", "--format", "{{.Server.APIVersion}}"]);
    // `podman version` reports its own API; the Docker-compatible one is on the socket.
    const socket = this.vars.DOCKER_HOST.replace(/^unix:\/\//, "");
    const out = run("curl", ["-sf", "--unix-socket", socket, "http://d/version"]).stdout;
    return (JSON.parse(out) as { ApiVersion: string }).ApiVersion;
  }

  imageExists(name: string): boolean {
    return spawnSync(this.cli, ["image", "inspect", name], { env: this.env }).status === 0;
  }

  /**
   * Without systemd podman runs no health check on its own, and `pulumi up` waits for healthy
   * containers: check every starting container each 2 s, as Docker's start_interval would.
   */
  startHealthChecks(): void {
    if (this.cli !== "podman") return;
    const tick = () => {
      const ids = spawnSync("podman", ["ps", "-q", "--filter", "health=starting"], {
        env: this.env,
        encoding: "utf8",
      }).stdout;
      for (const id of ids.split("\n").filter(Boolean)) {
        spawn("podman", ["healthcheck", "run", id], { env: this.env, stdio: "ignore" });
      }
    };
    this.healthLoop = setInterval(tick, 2000);
  }

  /** Removes what the lab left (kept volumes included) by the labels the platform puts on it. */
  removeLab(stack: string): void {
    const filter = `label=dataflow-lab.stack=${stack}`;
    const list = (what: string[]) =>
      this.exec([...what, "--filter", filter])
        .split("\n")
        .filter(Boolean);
    const containers = list(["ps", "-aq"]);
    if (containers.length) this.exec(["rm", "-f", ...containers]);
    const volumes = list(["volume", "ls", "-q"]);
    if (volumes.length) this.exec(["volume", "rm", "-f", ...volumes]);
    const networks = list(["network", "ls", "-q"]);
    if (networks.length) this.exec(["network", "rm", ...networks]);
  }

  stop(): void {
    clearInterval(this.healthLoop);
    if (this.dir) run("bash", [path.join(__dirname, "podman.sh"), "stop", this.dir]);
  }
}

/** Whether a Docker daemon answers as the environment points to it. */
function dockerDaemon(): boolean {
  return ok("docker", ["info"]);
}

/**
 * MinIO's image under the exact name the program pins, built here (no registry is reachable)
 * `FROM scratch` with the server and `mc` that the real-services suite builds from MinIO's source
 * at the pinned release: the docker provider uses a local image of that name before pulling.
 */
export function buildMinioImage(host: ContainerHost, name: string, work: string): void {
  const bins = assignments(run("bash", [path.join(REPO_ROOT, "test/e2e/prereqs/minio.sh")]).stdout);
  const context = fs.mkdtempSync(path.join(work, "minio-image-"));
  fs.copyFileSync(bins.MINIO_BIN, path.join(context, "minio"));
  fs.copyFileSync(bins.MC_BIN, path.join(context, "mc"));
  // /tmp for mc's config (MC_CONFIG_DIR=/tmp/.mc, as the workload sets it).
  fs.mkdirSync(path.join(context, "tmp"));
  fs.chmodSync(path.join(context, "tmp"), 0o1777);
  fs.writeFileSync(
    path.join(context, "Containerfile"),
    [
      "FROM scratch",
      "COPY minio mc /usr/bin/",
      "COPY tmp/ /tmp/",
      "ENV PATH=/usr/bin",
      'ENTRYPOINT ["/usr/bin/minio"]',
      "",
    ].join("\n"),
  );
  host.exec(["build", "-q", "-t", name, "-f", path.join(context, "Containerfile"), context]);
}

/** Runs a command to its end without blocking the event loop (so the health loop keeps going). */
export function runAsync(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs ?? 20 * 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A failed command's message: its arguments, status and the tail of what it printed. */
export function failure(
  what: string,
  r: { status: number | null; stdout: string; stderr: string },
): string {
  return `${what} exited ${r.status}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}

/** A fresh scratch directory for one run of the suite. */
export const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "lab-engine-"));
