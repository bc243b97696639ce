/**
 * A small container runtime for the real-services suite: each of the lab's containers becomes a
 * local process in its own network namespace (`dfl-<name>`, on one bridge, with the container names
 * and aliases in its /etc/hosts), its own mount namespace (test/e2e/launch.py) and host name. Named
 * volumes are directories that outlive the processes; published ports are forwarded from
 * 127.0.0.1:<host port> in the root namespace, as Docker publishes them. Health checks are the
 * containers' own commands, run inside their namespaces; memory is sampled from /proc.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../harness";
import { EMPTY, type LocalImage } from "./images";
import type { ContainerWiring } from "./wiring";

const BRIDGE = "dfl-br0";
/** A subnet of this machine's own: the bridge has no route out, so nothing leaves it. */
const SUBNET = "10.213.0";
const LAUNCH = path.join(REPO_ROOT, "test/e2e/launch.py");

function sh(cmd: string, args: string[], allowFail = false): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.error?.message}`);
  }
  return r.stdout ?? "";
}

export interface Running {
  readonly wiring: ContainerWiring;
  readonly process: ChildProcess;
  readonly log: string;
  readonly address: string;
  exited?: number | string;
  /** The container's own process (found once it exists). */
  main?: number;
}

export class LabRuntime {
  private readonly running = new Map<string, Running>();
  private readonly forwarders: ChildProcess[] = [];
  private readonly addresses = new Map<string, string>();
  /** Peak resident memory (MiB) of each container's process tree. */
  readonly peakMiB: Record<string, number> = {};
  private sampler?: NodeJS.Timeout;

  constructor(
    readonly workDir: string,
    private readonly containers: readonly ContainerWiring[],
  ) {}

  /** The bridge and one namespace per container, each with every container's names in /etc/hosts. */
  up(): void {
    this.down();
    sh("ip", ["link", "add", BRIDGE, "type", "bridge"]);
    sh("ip", ["addr", "add", `${SUBNET}.1/24`, "dev", BRIDGE]);
    sh("ip", ["link", "set", BRIDGE, "up"]);
    this.containers.forEach((c, i) => {
      const ns = `dfl-${c.name}`;
      const address = `${SUBNET}.${i + 2}`;
      this.addresses.set(c.name, address);
      sh("ip", ["netns", "add", ns]);
      sh("ip", ["link", "add", `dflv${i}`, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      sh("ip", ["link", "set", `dflv${i}`, "master", BRIDGE, "up"]);
      sh("ip", ["-n", ns, "addr", "add", `${address}/24`, "dev", "eth0"]);
      sh("ip", ["-n", ns, "link", "set", "eth0", "up"]);
      sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
    });
    this.sampler = setInterval(() => this.sample(), 1000);
  }

  /** Everything up() made, and every process, gone; data directories stay. */
  down(): void {
    if (this.sampler) clearInterval(this.sampler);
    for (const f of this.forwarders.splice(0)) f.kill("SIGKILL");
    for (const name of [...this.running.keys()]) this.stop(name);
    for (const ns of sh("ip", ["netns", "list"], true).split("\n")) {
      const name = ns.split(" ")[0];
      if (!name.startsWith("dfl-")) continue;
      // A run that was killed leaves its processes behind: they go with their namespace.
      for (const pid of sh("ip", ["netns", "pids", name], true).split("\n").filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      sh("ip", ["netns", "delete", name], true);
    }
    sh("ip", ["link", "delete", BRIDGE], true);
  }

  hosts(): string {
    const lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"];
    for (const c of this.containers) {
      lines.push(
        `${this.addresses.get(c.name)}\t${[...new Set([c.name, ...c.aliases])].join(" ")}`,
      );
    }
    return `${lines.join("\n")}\n`;
  }

  address(name: string): string {
    return this.addresses.get(name)!;
  }

  /** Starts a container as Docker would: the image's defaults under the container's settings. */
  start(c: ContainerWiring, image: LocalImage, volumesDir: string): Running {
    const dir = path.join(this.workDir, "containers", c.name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const user = c.root ? undefined : image.user;
    const mounts: Record<string, unknown>[] = Object.entries(image.mounts).map(
      ([target, lower], i) => {
        if (lower !== EMPTY) {
          const owner = user && image.owned?.includes(target) ? [user.uid, user.gid] : undefined;
          return { target, lower, owner };
        }
        const empty = path.join(dir, `empty-${i}`);
        fs.mkdirSync(empty);
        if (user) fs.chownSync(empty, user.uid, user.gid);
        return { target, bind: empty };
      },
    );
    for (const v of c.volumes) {
      const data = path.join(volumesDir, v.volume);
      if (!fs.existsSync(data)) {
        // A new named volume starts empty and, as Docker's, owned by the image's user.
        fs.mkdirSync(data, { recursive: true });
        if (user) fs.chownSync(data, user.uid, user.gid);
      }
      mounts.push({ target: v.path, bind: data });
    }
    const argv = [
      ...(c.entrypoint ?? image.entrypoint),
      ...(c.command ?? (c.entrypoint ? [] : image.cmd)),
    ];
    const plan = {
      hostname: c.name,
      hosts: this.hosts(),
      state: dir,
      mounts,
      files: c.files,
      users: image.users,
      user: user ? [user.uid, user.gid] : null,
      workdir: image.workdir,
      env: { HOME: user?.home ?? "/root", ...image.env, ...c.env },
      argv,
    };
    const planFile = path.join(dir, "plan.json");
    fs.writeFileSync(planFile, JSON.stringify(plan), { mode: 0o600 });
    const log = path.join(dir, "log");
    const out = fs.openSync(log, "a");
    const proc = spawn(
      "ip",
      // Its own PID namespace too, so the command (or its tini) is PID 1 as in a container.
      [
        "netns",
        "exec",
        `dfl-${c.name}`,
        "unshare",
        "--mount",
        "--uts",
        "--pid",
        "--fork",
        "--mount-proc",
        "python3",
        LAUNCH,
        planFile,
      ],
      { stdio: ["ignore", out, out], detached: true },
    );
    fs.closeSync(out);
    const running: Running = { wiring: c, process: proc, log, address: this.address(c.name) };
    proc.on("exit", (code, signal) => (running.exited = code ?? signal ?? "exited"));
    this.running.set(c.name, running);
    for (const p of c.ports) this.publish(p.host, this.address(c.name), p.container);
    return running;
  }

  /** 127.0.0.1:<host> in the root namespace → the container's port, as Docker's proxy does. */
  private publish(hostPort: number, address: string, port: number): void {
    const f = spawn(
      "socat",
      [`TCP-LISTEN:${hostPort},bind=127.0.0.1,reuseaddr,fork`, `TCP:${address}:${port}`],
      { stdio: "ignore", detached: true },
    );
    this.forwarders.push(f);
  }

  stop(name: string): void {
    const r = this.running.get(name);
    if (!r) return;
    if (r.exited === undefined && r.process.pid) {
      try {
        process.kill(-r.process.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const deadline = Date.now() + 20000;
      while (this.tree(r.process.pid).length > 0 && Date.now() < deadline) sh("sleep", ["0.2"]);
      for (const pid of this.tree(r.process.pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    this.running.delete(name);
  }

  /**
   * Runs a command inside a running container (its namespaces, its user and environment), as
   * `docker exec` does; a health check is one such command with the check's timeout.
   */
  exec(
    name: string,
    argv: string[],
    timeoutS = 60,
    as: { user?: [number, number]; env?: Record<string, string> } = {},
  ): { status: number | null; output: string } {
    const r = this.running.get(name);
    if (!r) throw new Error(`${name} is not running`);
    const pid = this.mainPid(r);
    const plan = JSON.parse(
      fs.readFileSync(path.join(this.workDir, "containers", name, "plan.json"), "utf8"),
    );
    const env = Object.entries((as.env ?? plan.env) as Record<string, string>).map(
      ([k, v]) => `${k}=${v}`,
    );
    const uid = as.user ?? plan.user;
    const user = uid ? ["-S", String(uid[0]), "-G", String(uid[1])] : [];
    const res = spawnSync(
      "nsenter",
      ["-t", String(pid), "-m", "-n", "-u", "-p", ...user, "--wd=/", "env", "-i", ...env, ...argv],
      { encoding: "utf8", timeout: timeoutS * 1000 },
    );
    return { status: res.status, output: `${res.stdout ?? ""}${res.stderr ?? ""}` };
  }

  /** The container's own process: the launcher's exec target, below `ip netns exec` and unshare. */
  private mainPid(r: Running): number {
    const tree = this.tree(r.process.pid!);
    // ip → unshare → python3 launch.py, which execs the command in place: the deepest of the chain.
    let pid = r.process.pid!;
    for (;;) {
      const child = tree.find((p) => this.ppid(p) === pid);
      if (!child || !["ip", "unshare"].includes(this.comm(pid))) return pid;
      pid = child;
    }
  }

  /** The processes of a running container: pid (this machine's), uid, command line, environment. */
  processes(
    name: string,
  ): { pid: number; uid: number; cmdline: string[]; env: Record<string, string> }[] {
    const r = this.running.get(name);
    if (!r?.process.pid) return [];
    return this.tree(r.process.pid).flatMap((pid) => {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const split = (f: string) =>
          fs.readFileSync(`/proc/${pid}/${f}`, "utf8").split("\0").filter(Boolean);
        return [
          {
            pid,
            uid: Number(/Uid:\s+(\d+)/.exec(status)![1]),
            cmdline: split("cmdline"),
            env: Object.fromEntries(
              split("environ").map((e) => [
                e.slice(0, e.indexOf("=")),
                e.slice(e.indexOf("=") + 1),
              ]),
            ),
          },
        ];
      } catch {
        return [];
      }
    });
  }

  health(name: string): { ok: boolean; output: string } {
    const c = this.running.get(name)!.wiring;
    const r = this.exec(name, c.health.test, c.health.timeoutS);
    return { ok: r.status === 0, output: r.output };
  }

  /** Waits as `pulumi up` does (`wait: true`, `waitTimeout`) until the health check passes. */
  async waitHealthy(name: string): Promise<number> {
    const r = this.running.get(name)!;
    const c = r.wiring;
    const started = Date.now();
    const deadline = started + c.waitTimeoutS * 1000;
    let last = "";
    while (Date.now() < deadline) {
      if (r.exited !== undefined) {
        throw new Error(`${name} exited (${r.exited}) before it was healthy\n${this.tail(name)}`);
      }
      const h = this.health(name);
      if (h.ok) return (Date.now() - started) / 1000;
      last = h.output;
      await new Promise((res) => setTimeout(res, Math.min(c.health.intervalS, 5) * 1000));
    }
    throw new Error(
      `${name} not healthy within ${c.waitTimeoutS}s; last check said:\n${last}\n${this.tail(name)}`,
    );
  }

  tail(name: string, lines = 50): string {
    const log = path.join(this.workDir, "containers", name, "log");
    if (!fs.existsSync(log)) return `(${name} has no log)`;
    return `--- last ${lines} lines of ${name} ---\n${fs.readFileSync(log, "utf8").split("\n").slice(-lines).join("\n")}`;
  }

  names(): string[] {
    return [...this.running.keys()];
  }

  private stat(pid: number): string[] {
    try {
      const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      return [
        s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")),
        ...s.slice(s.lastIndexOf(")") + 2).split(" "),
      ];
    } catch {
      return [];
    }
  }

  private comm(pid: number): string {
    return this.stat(pid)[0] ?? "";
  }

  private ppid(pid: number): number {
    return Number(this.stat(pid)[2]);
  }

  /** A process and all its descendants. */
  private tree(root: number): number[] {
    const all = fs
      .readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .map(Number);
    const children = new Map<number, number[]>();
    for (const pid of all) {
      const parent = this.ppid(pid);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent)!.push(pid);
    }
    const out: number[] = [];
    const walk = (p: number) => {
      if (!fs.existsSync(`/proc/${p}`)) return;
      out.push(p);
      for (const c of children.get(p) ?? []) walk(c);
    };
    walk(root);
    return out;
  }

  /**
   * Memory of each running container (PSS: shared pages, such as PostgreSQL's buffers or forked
   * workers, counted once), keeps the peak. A process counts for the container whose PID
   * namespace it is in, as a memory cgroup counts it: its own processes and what runs in it by
   * `exec` (the notebooks' kernels and Spark drivers, health checks) alike.
   */
  private sample(): void {
    const owner = new Map<string, string>();
    for (const [name, r] of this.running) {
      if (r.exited !== undefined || !r.process.pid) continue;
      try {
        if (r.main === undefined && this.comm(r.process.pid) === "unshare") {
          // Below unshare, in the container's own PID namespace (never this machine's).
          const main = this.mainPid(r);
          if (main !== r.process.pid) r.main = main;
        }
        if (r.main) owner.set(fs.readlinkSync(`/proc/${r.main}/ns/pid`), name);
      } catch {
        // not started yet, or gone
      }
    }
    const kib: Record<string, number> = {};
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        const name = owner.get(fs.readlinkSync(`/proc/${pid}/ns/pid`));
        if (!name) continue;
        const m = /Pss:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
        kib[name] = (kib[name] ?? 0) + (m ? Number(m[1]) : 0);
      } catch {
        // gone between listing and reading
      }
    }
    for (const [name, k] of Object.entries(kib)) {
      this.peakMiB[name] = Math.max(this.peakMiB[name] ?? 0, Math.round(k / 1024));
    }
  }
}
