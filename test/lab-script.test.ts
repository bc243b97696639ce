/**
 * scripts/lab.sh is the README's main command. These tests put a recording `pulumi` (and a
 * `docker` that reports a running daemon) first on PATH to check what the script asks the CLI to do,
 * and answer its preflight from a Docker API double of a given size (dockerApiDouble.ts); the real
 * CLI, and podman's real API, are the real-engine suite's (test/engine/).
 */
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./harness";
import { tempDirs } from "./tempDirs";

const tempDir = tempDirs();

/** A Docker host's size, as its API's /info says it. */
interface HostSize {
  readonly cpus: number;
  readonly memoryMiB: number;
}
const ROOMY: HostSize = { cpus: 8, memoryMiB: 32768 };

/** Serves the double on a socket in `dir` until `stop()`; its address is DOCKER_HOST's. */
function dockerApi(dir: string, size: HostSize): { host: string; stop: () => void } {
  const socket = path.join(dir, "docker.sock");
  const p = spawn(process.execPath, [
    "-r",
    require.resolve("ts-node/register/transpile-only"),
    path.join(__dirname, "dockerApiDouble.ts"),
    socket,
    "1.47",
    String(size.cpus),
    String(size.memoryMiB),
  ]);
  // Synchronously, as the script runs: wait until it listens.
  for (let i = 0; i < 200 && !fs.existsSync(socket); i++) execFileSync("sleep", ["0.05"]);
  return { host: `unix://${socket}`, stop: () => p.kill() };
}

/**
 * `dockerApi`: what the recording `docker version` prints as the server's API version; `target`:
 * what the recording `pulumi config get target` prints.
 */
function runScript(
  args: string[],
  env: Record<string, string> = {},
  dockerVersion = "",
  target = "",
  size: HostSize = ROOMY,
) {
  const dir = tempDir("lab-sh-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const log = path.join(dir, "calls");
  const recorder = `#!/bin/sh\necho "$(basename "$0") $* | backend=$PULUMI_BACKEND_URL pass=$PULUMI_CONFIG_PASSPHRASE_FILE" >> ${log}\n`;
  for (const tool of ["pulumi", "docker"]) {
    const answer =
      tool === "docker" && dockerVersion
        ? `if [ "$1" = version ]; then echo ${dockerVersion}; fi\n`
        : tool === "pulumi" && target
          ? `if [ "$1 $2 $3" = "config get target" ]; then echo ${target}; fi\n`
          : "";
    fs.writeFileSync(path.join(bin, tool), recorder + answer, { mode: 0o755 });
  }
  const api = dockerApi(dir, size);
  const r = spawnSync("bash", [path.join(REPO_ROOT, "scripts/lab.sh"), ...args], {
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, DOCKER_HOST: api.host, ...env },
    encoding: "utf8",
  });
  api.stop();
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { ...r, calls, home: dir };
}

describe("scripts/lab.sh", () => {
  it("up: creates or selects the dev stack on a local file backend, with a generated passphrase", () => {
    const r = runScript(["up", "dev", "--yes"]);
    expect(r.status).toBe(0);
    const state = `file://${r.home}/.dataflow-lab/state`;
    const pass = `${r.home}/.dataflow-lab/passphrase`;
    expect(r.calls.filter((c) => c.startsWith("pulumi"))).toEqual([
      `pulumi stack select --create dev --secrets-provider passphrase | backend=${state} pass=${pass}`,
      `pulumi config get target --stack dev | backend=${state} pass=${pass}`,
      `pulumi up --stack dev --yes | backend=${state} pass=${pass}`,
    ]);
    expect(fs.statSync(pass).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(pass, "utf8").trim().length).toBeGreaterThanOrEqual(40);
    expect(r.stderr).toContain("keep it");
  });

  it("keeps an existing passphrase and a backend the user chose", () => {
    const first = runScript(["up"]);
    const pass = fs.readFileSync(`${first.home}/.dataflow-lab/passphrase`, "utf8");
    const again = spawnSync("bash", [path.join(REPO_ROOT, "scripts/lab.sh"), "urls", "k8s"], {
      env: {
        PATH: `${first.home}/bin:${process.env.PATH}`,
        HOME: first.home,
        PULUMI_BACKEND_URL: "s3://team-state",
      },
      encoding: "utf8",
    });
    expect(again.status).toBe(0);
    expect(fs.readFileSync(`${first.home}/.dataflow-lab/passphrase`, "utf8")).toBe(pass);
    const calls = fs.readFileSync(`${first.home}/calls`, "utf8").trim().split("\n");
    expect(calls[calls.length - 1]).toMatch(
      /^pulumi stack output urls --stack k8s --json \| backend=s3:\/\/team-state /,
    );
  });

  it("every npm script of the dev stack has a :k8s twin that runs the same command on the k8s stack", () => {
    const scripts: Record<string, string> = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"),
    ).scripts;
    const dev = Object.entries(scripts).filter(([, cmd]) =>
      /^bash scripts\/lab\.sh \w+ dev$/.test(cmd),
    );
    expect(dev.map(([name]) => name).sort()).toEqual(["credentials", "destroy", "up", "urls"]);
    for (const [name, cmd] of dev) {
      expect([`${name}:k8s`, scripts[`${name}:k8s`]]).toEqual([
        `${name}:k8s`,
        cmd.replace(/ dev$/, " k8s"),
      ]);
    }
  });

  it("up: on a Docker API older than 1.44 (podman) turns health checks' start_interval off first", () => {
    const old = runScript(["up"], {}, "1.41");
    expect(old.status).toBe(0);
    const pulumi = old.calls.filter((c) => c.startsWith("pulumi")).map((c) => c.split(" | ")[0]);
    expect(pulumi).toEqual([
      "pulumi stack select --create dev --secrets-provider passphrase",
      "pulumi config get target --stack dev",
      "pulumi config get --path docker.healthStartInterval --stack dev",
      "pulumi config set --path docker.healthStartInterval false --stack dev",
      "pulumi up --stack dev",
    ]);
    expect(old.stderr).toContain("Docker API 1.41 is older than 1.44");
    const current = runScript(["up"], {}, "1.50");
    expect(current.calls.filter((c) => c.includes("healthStartInterval"))).toEqual([]);
  });

  it("up: a Docker host too small for the lab as configured stops before pulumi up, saying what is short and how to fix it", () => {
    const small = runScript(["up"], {}, "", "", { cpus: 1, memoryMiB: 8192 });
    expect(small.status).not.toBe(0);
    expect(small.calls.filter((c) => c.startsWith("pulumi up"))).toEqual([]);
    const said = small.stderr.split("\n").filter((l) => l.startsWith("preflight: "));
    // The dev stack's defaults: 12736 MiB of limits, and three services that take 2 CPUs.
    expect(said).toEqual([
      expect.stringMatching(
        /^preflight: memory: the lab's memory limits add up to 12736 MiB .* 8192 MiB .*switch services off/,
      ),
      expect.stringMatching(
        /^preflight: CPUs: prefect\.workerCpus is 2, the Docker host has 1 .*set prefect\.workerCpus to 1 or less/,
      ),
      expect.stringMatching(/^preflight: CPUs: nifi\.cpus is 2, /),
      expect.stringMatching(/^preflight: CPUs: jupyterhub\.cpus is 2, /),
    ]);
    expect(small.stderr).toContain("nothing was changed");
  });

  it("up: no Docker API at all stops before pulumi up, naming where it looked", () => {
    const r = runScript(["up"], { DOCKER_HOST: "unix:///nonexistent/docker.sock" });
    expect(r.status).not.toBe(0);
    expect(r.calls.filter((c) => c.startsWith("pulumi up"))).toEqual([]);
    expect(r.stderr).toMatch(
      /preflight: no Docker API at unix:\/\/\/nonexistent\/docker\.sock .*start Docker/,
    );
  });

  it("up: a stack whose target is Kubernetes gets no Docker check", () => {
    const r = runScript(["up", "k8s"], {}, "1.41", "kubernetes");
    expect(r.status).toBe(0);
    expect(r.calls.map((c) => c.split(" | ")[0])).toEqual([
      "pulumi stack select --create k8s --secrets-provider passphrase",
      "pulumi config get target --stack k8s",
      "pulumi up --stack k8s",
    ]);
  });

  it("pulumi: any Pulumi command from any shell, on the lab's backend and passphrase", () => {
    const r = runScript(["pulumi", "config", "set", "--path", "spark.workers", "5"]);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      `pulumi config set --path spark.workers 5 | backend=file://${r.home}/.dataflow-lab/state pass=${r.home}/.dataflow-lab/passphrase`,
    ]);
  });

  it("refuses an unknown command", () => {
    const r = runScript(["deploy"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'deploy'");
  });
});
