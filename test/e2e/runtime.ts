/**
 * A small container runtime for the real-services suite: each of the lab's containers becomes a
 * local process in its own network namespace (`dfl-<name>`, on one bridge, with the container names
 * and aliases in its /etc/hosts), its own mount namespace (test/e2e/launch.py) and host name. Named
 * volumes are directories that outlive the processes; published ports are forwarded from
 * 127.0.0.1:<host port> in the root namespace, as Docker publishes them. Health checks are the
 * containers' own commands, run inside their namespaces. Each container (and whatever is `exec`'d
 * into it) runs in cgroups of its own, limited to the container's declared memory and CPUs as Docker
 * limits them, and sampled by usage.py.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../harness";
import { EMPTY, type LocalImage } from "./images";
import { ruleset, type Pods } from "./networkPolicy";
import type { ContainerWiring, LabWiring } from "./wiring";

const BRIDGE = "dfl-br0";
/** A subnet of this machine's own: the bridge has no route out, so nothing leaves it. */
const SUBNET = "10.213.0";
const LAUNCH = path.join(REPO_ROOT, "test/e2e/launch.py");
const SAMPLER = path.join(REPO_ROOT, "test/e2e/usage.py");
/**
 * Puts the shell in each cgroup of the space-separated list $0, then runs the command: its whole
 * tree is counted and limited.
 */
const IN_CGROUP = 'for g in $0; do echo $$ > "$g/cgroup.procs" || exit 125; done; exec "$@"';
/** Docker's `--cpus` is a CFS quota over this period (moby's getCPUResources); so is Kubernetes'. */
const CFS_PERIOD_US = 100_000;
const INTERRUPTS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Where this process sits in the cgroup v1 hierarchy of `controller` (which `probe` tells from an
 * empty directory); the containers' cgroups go below it. Set DFL_E2E_UNLIMITED=1 to measure a
 * service without enforcing its limits (e.g. a new one).
 */
function ownCgroup(controller: string, probe: string): string {
  const fields = fs
    .readFileSync("/proc/self/cgroup", "utf8")
    .split("\n")
    .map((l) => l.split(":"))
    .find((f) => f.length >= 3 && f[1].split(",").includes(controller));
  // A hierarchy is mounted under its controllers' names: memory, cpu,cpuacct or cpu and cpuacct.
  const dir = fields && path.join("/sys/fs/cgroup", fields[1], fields.slice(2).join(":"));
  if (!dir || !fs.existsSync(path.join(dir, probe))) {
    throw new Error(
      `the real-services suite needs the cgroup v1 ${controller} controller (/sys/fs/cgroup/${controller}) ` +
        "to limit and measure each service as Docker does",
    );
  }
  return dir;
}

/** Whom `exec` runs as: by default the container's user, groups and environment. */
export interface ExecAs {
  readonly user?: [number, number];
  /** Its supplementary groups instead of the container's (`[]`: none). */
  readonly groups?: number[];
  readonly env?: Record<string, string>;
}

/** Per container, over every start, as usage.py records it. */
export interface Usage {
  /** Usage minus inactive page cache: what `docker stats` shows. */
  readonly workingSetMiB: number;
  /** The same, each start's own peak, by its memory cgroup's inode. */
  readonly workingSetMiBByStart: Record<string, number>;
  /** The kernel's own peak charge, page cache included. */
  readonly chargedMiB: number;
  readonly oomKills: number;
  readonly limitMiB: number | null;
  /** CPU time used, every process of the container (and its `exec`s) counted. */
  readonly cpuSeconds: number;
  /** How long its CPU limit held it back (CFS throttling). */
  readonly throttledSeconds: number;
  readonly cpus: number | null;
}

/** One stop of a running container: how long it took, and whether its grace ran out (SIGKILL). */
export interface StopRecord {
  readonly name: string;
  readonly seconds: number;
  readonly killed: boolean;
}

function sh(cmd: string, args: string[], allowFail = false): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.error?.message}`);
  }
  return r.stdout ?? "";
}

export interface Running {
  readonly wiring: ContainerWiring;
  /** What stops it: the container's stop signal, else its image's STOPSIGNAL. */
  readonly stopSignal: NodeJS.Signals;
  readonly process: ChildProcess;
  readonly log: string;
  readonly address: string;
  exited?: number | string;
}

export class LabRuntime {
  private readonly running = new Map<string, Running>();
  /** Each container's published-port forwarders, which go with it as Docker's do. */
  private readonly forwarders = new Map<string, ChildProcess[]>();
  private readonly addresses = new Map<string, string>();
  /** Connections refused under rulesets since replaced (see `enforce`). */
  private readonly refusedBefore: string[] = [];
  /** The cgroup parents: memory, then CPU limits, then CPU accounting (maybe one hierarchy). */
  private readonly hierarchies = [
    ownCgroup("memory", "memory.limit_in_bytes"),
    ownCgroup("cpu", "cpu.cfs_quota_us"),
    ownCgroup("cpuacct", "cpuacct.usage"),
  ];
  private sampler?: ChildProcess;
  /** Takes everything down when the suite is stopped (Ctrl-C, `timeout`, CI cancelling the job). */
  private readonly interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`e2e: ${signal}: stopping every container and removing what up() made\n`);
    this.down();
    // Then die of the signal, as the process would have without this handler.
    process.kill(process.pid, signal);
  };

  constructor(
    readonly workDir: string,
    private readonly containers: readonly ContainerWiring[],
  ) {}

  /** The bridge and one namespace per container, each with every container's names in /etc/hosts. */
  up(): void {
    this.down();
    // The containers and the sampler run detached (their own process groups), so a signal to the
    // suite's group does not reach them: without this they outlive an interrupted run.
    for (const s of INTERRUPTS) process.once(s, this.interrupted);
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
    fs.mkdirSync(this.workDir, { recursive: true });
    const log = fs.openSync(path.join(this.workDir, "sampler.log"), "a");
    this.sampler = spawn(
      "python3",
      [SAMPLER, ...this.hierarchies, this.usageFile(), String(process.pid)],
      {
        stdio: ["ignore", "ignore", log],
        detached: true,
      },
    );
    fs.closeSync(log);
  }

  private usageFile(): string {
    return path.join(this.workDir, "usage.json");
  }

  private stopsFile(): string {
    return path.join(this.workDir, "stops.jsonl");
  }

  /** Every stop of a running container so far, over every start in this work directory. */
  stops(): StopRecord[] {
    const f = this.stopsFile();
    if (!fs.existsSync(f)) return [];
    return fs
      .readFileSync(f, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  /**
   * The peak working set of the container's current start so far (MiB), as the sampler last saw
   * it: read when the start turns healthy, what the service needed to start.
   */
  startPeakMiB(name: string): number | undefined {
    if (this.sampler?.exitCode !== null) {
      const log = fs.readFileSync(path.join(this.workDir, "sampler.log"), "utf8");
      throw new Error(`the usage sampler (usage.py) is not running:\n${log.slice(-2000)}`);
    }
    const [memory] = this.cgroups(name);
    return this.usage()[name]?.workingSetMiBByStart[String(fs.statSync(memory).ino)];
  }

  /** Each container's usage so far, over every start in this work directory. */
  usage(): Record<string, Usage> {
    const f = this.usageFile();
    return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : {};
  }

  /** The container's cgroups, one per hierarchy (IN_CGROUP takes them joined by spaces). */
  private cgroups(name: string): string[] {
    return [...new Set(this.hierarchies.map((h) => path.join(h, `dfl-${name}`)))];
  }

  /** Fresh cgroups, limited as Docker limits the container: its `memory` (no swap), its `cpus`. */
  private newCgroup(c: ContainerWiring): string {
    this.removeCgroup(c.name);
    const [memory, cpu] = this.hierarchies.map((h) => path.join(h, `dfl-${c.name}`));
    for (const dir of this.cgroups(c.name)) fs.mkdirSync(dir);
    if (!process.env.DFL_E2E_UNLIMITED) {
      fs.writeFileSync(path.join(memory, "memory.limit_in_bytes"), String(c.memoryMiB * 2 ** 20));
      fs.writeFileSync(path.join(cpu, "cpu.cfs_period_us"), String(CFS_PERIOD_US));
      fs.writeFileSync(
        path.join(cpu, "cpu.cfs_quota_us"),
        String(Math.round(c.cpus * CFS_PERIOD_US)),
      );
    }
    return this.cgroups(c.name).join(" ");
  }

  private removeCgroup(name: string): void {
    for (const dir of this.cgroups(name)) {
      for (let i = 0; i < 50 && fs.existsSync(dir); i++) {
        for (const pid of fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n")) {
          if (!pid) continue;
          try {
            process.kill(Number(pid), "SIGKILL");
          } catch {
            // already gone
          }
        }
        try {
          fs.rmdirSync(dir);
        } catch {
          sh("sleep", ["0.1"]);
        }
      }
    }
  }

  /** Everything up() made, and every process, gone; data directories stay. */
  down(): void {
    for (const s of INTERRUPTS) process.removeListener(s, this.interrupted);
    if (this.sampler?.pid && this.sampler.exitCode === null) {
      // Its last round is written before it exits: wait for it.
      this.sampler.kill("SIGTERM");
      for (let i = 0; i < 30 && this.alive(this.sampler.pid); i++) {
        sh("sleep", ["0.1"]);
      }
    }
    // One a killed run left behind would merge old peaks into a new report.
    sh("pkill", ["-f", SAMPLER], true);
    // Its port forwarders too (in this namespace, not a container's): they hold the host ports.
    sh("pkill", ["-f", `^socat TCP-LISTEN:.* TCP:${SUBNET}\\.`], true);
    for (const name of this.stopOrder([...this.running.keys()])) this.stop(name);
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
    const left = this.hierarchies
      .flatMap((h) => fs.readdirSync(h))
      .filter((d) => d.startsWith("dfl-"));
    for (const cg of new Set(left)) this.removeCgroup(cg.slice("dfl-".length));
    // A deleted namespace is torn down by the kernel in the background (longer with nftables'
    // conntrack in it), and its veth's host end lingers until then: delete that end now, or the
    // next up() finds the name taken.
    for (const line of sh("ip", ["-o", "link", "show"], true).split("\n")) {
      const name = /^\d+: (dflv\d+)[@:]/.exec(line)?.[1];
      if (name) sh("ip", ["link", "delete", name], true);
    }
    sh("ip", ["link", "delete", BRIDGE], true);
  }

  /**
   * Every network namespace under `policies` (on each start: the lab's services change). Each
   * ruleset is replaced in one transaction, and a table of its own keeps conntrack on in the
   * namespace throughout: without it, a reload stops tracking for a moment, and the next packet of
   * a connection already open (a reply from PostgreSQL, say) counts as new and is refused.
   */
  enforce(policies: LabWiring["policies"]): void {
    const pods = this.pods(policies.stack);
    // What the rulesets refused so far goes with them: keep it.
    this.refusedBefore.push(...this.refusedNow());
    const dir = path.join(this.workDir, "nft");
    fs.mkdirSync(dir, { recursive: true });
    for (const c of this.containers) {
      const file = path.join(dir, `${c.name}.conf`);
      fs.writeFileSync(
        file,
        [
          "table inet dfl_conntrack {",
          "  chain keep { type filter hook prerouting priority -300; ct state invalid counter; }",
          "}",
          // Declared, then deleted and declared anew: one atomic replacement, first time or not.
          "table inet dfl",
          "delete table inet dfl",
          ruleset(policies.specs, pods, c.name),
        ].join("\n"),
      );
      sh("ip", ["netns", "exec", `dfl-${c.name}`, "nft", "-f", file]);
    }
  }

  /** The containers as pods: service, address, and the node's address. */
  pods(stack: string): Pods {
    return {
      stack,
      node: `${SUBNET}.1`,
      containers: this.containers.map((c) => ({
        name: c.name,
        service: c.aliases[0],
        address: this.address(c.name),
      })),
    };
  }

  /** Each connection a namespace's ruleset refused so far, as `<container> → <address>:<port>`. */
  refused(): string[] {
    return [...this.refusedBefore, ...this.refusedNow()].sort();
  }

  /** What the rulesets loaded now refused. */
  private refusedNow(): string[] {
    const byAddress = new Map(this.containers.map((c) => [this.address(c.name), c.name]));
    const out: string[] = [];
    for (const c of this.containers) {
      for (const set of ["refused_in", "refused_out"]) {
        // Before the first enforce() there is no table yet: nothing refused.
        const text = sh(
          "ip",
          ["netns", "exec", `dfl-${c.name}`, "nft", "-j", "list", "set", "inet", "dfl", set],
          true,
        );
        if (!text.trim()) continue;
        const elems = JSON.parse(text).nftables.find((x: any) => x.set)?.set.elem ?? [];
        for (const e of elems) {
          const [peer, port] = (e.elem?.val ?? e).concat as [string, number];
          const other = byAddress.get(peer) ?? peer;
          out.push(
            set === "refused_in" ? `${other} → ${c.name}:${port}` : `${c.name} → ${other}:${port}`,
          );
        }
      }
    }
    return out;
  }

  /** TCP ports something listens on in the container's namespace, on an address others reach. */
  listening(name: string): number[] {
    const lines = sh("ip", ["netns", "exec", `dfl-${name}`, "ss", "-ltnH"]).split("\n");
    const ports = lines
      .map((l) => l.trim().split(/\s+/)[3])
      .filter((local) => local && !/^(127\.|\[::1\])/.test(local))
      .map((local) => Number(local.slice(local.lastIndexOf(":") + 1)));
    return [...new Set(ports)].sort((a, b) => a - b);
  }

  /** From inside `from`'s namespace, whether a TCP connection to each target opens (1 s each). */
  connects(from: string, targets: { to: string; port: number }[]): boolean[] {
    const script = [
      "import json, socket, sys",
      "out = []",
      "for host, port in json.loads(sys.argv[1]):",
      "    s = socket.socket(); s.settimeout(1)",
      "    try: s.connect((host, port)); out.append(True)",
      "    except OSError: out.append(False)",
      "    finally: s.close()",
      "print(json.dumps(out))",
    ].join("\n");
    const arg = JSON.stringify(targets.map((t) => [this.address(t.to), t.port]));
    return JSON.parse(sh("ip", ["netns", "exec", `dfl-${from}`, "python3", "-c", script, arg]));
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
    const named = c.user && image.users.find((u) => u.uid === c.user![0]);
    const user = c.root
      ? undefined
      : c.user
        ? (named ?? { name: "", uid: c.user[0], gid: c.user[1], home: "/" })
        : image.user;
    const mounts: Record<string, unknown>[] = Object.entries(image.mounts).map(
      ([target, lower], i) => {
        if (lower !== EMPTY) {
          const owner = user && image.owned?.includes(target) ? [user.uid, user.gid] : undefined;
          return { target, lower, owner };
        }
        const empty = path.join(dir, `empty-${i}`);
        fs.mkdirSync(empty);
        if (user) fs.chownSync(empty, user.uid, user.gid);
        return { target, bind: empty, image: true };
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
      groups: c.groups,
      workdir: image.workdir,
      env: { HOME: user?.home ?? "/root", ...image.env, ...c.env },
      argv,
      ...(c.writable ? { writable: c.writable } : {}),
    };
    const planFile = path.join(dir, "plan.json");
    fs.writeFileSync(planFile, JSON.stringify(plan), { mode: 0o600 });
    const log = path.join(dir, "log");
    const out = fs.openSync(log, "a");
    const proc = spawn(
      "sh",
      // Its own PID namespace too, so the command (or its tini) is PID 1 as in a container.
      [
        "-c",
        IN_CGROUP,
        this.newCgroup(c),
        "ip",
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
    const running: Running = {
      wiring: c,
      stopSignal: c.stopSignal ?? image.stopSignal ?? "SIGTERM",
      process: proc,
      log,
      address: this.address(c.name),
    };
    proc.on("exit", (code, signal) => (running.exited = code ?? signal ?? "exited"));
    this.running.set(c.name, running);
    this.forwarders.set(
      c.name,
      c.ports.map((p) => this.publish(p.host, this.address(c.name), p.container)),
    );
    return running;
  }

  /** 127.0.0.1:<host> in the root namespace → the container's port, as Docker's proxy does. */
  private publish(hostPort: number, address: string, port: number): ChildProcess {
    return spawn(
      "socat",
      [`TCP-LISTEN:${hostPort},bind=127.0.0.1,reuseaddr,fork`, `TCP:${address}:${port}`],
      { stdio: "ignore", detached: true },
    );
  }

  /**
   * `names` in the order Pulumi deletes them (`destroy`, or replacing delete-before-replace): each
   * after everything among them that depends on it, so no client outlives its server.
   */
  stopOrder(names: readonly string[]): string[] {
    const order: string[] = [];
    const visit = (name: string) => {
      if (order.includes(name)) return;
      for (const d of names) if (this.wiringOf(d)?.after.includes(name)) visit(d);
      order.push(name);
    };
    for (const name of names) visit(name);
    return order;
  }

  /**
   * Stops a container as Docker does when Pulumi replaces or destroys it: the stop signal to its
   * main process (PID 1 of its namespace, which ignores a signal it has no handler for), then,
   * after the container's stop grace (`destroyGraceSeconds`), SIGKILL to whatever is left. Each
   * stop's duration is kept for the report.
   */
  stop(name: string): void {
    const r = this.running.get(name);
    if (!r) return;
    for (const f of this.forwarders.get(name) ?? []) f.kill("SIGKILL");
    this.forwarders.delete(name);
    const started = Date.now();
    if (r.exited === undefined && r.process.pid) {
      try {
        process.kill(this.mainPid(r), r.stopSignal);
      } catch {
        // already gone
      }
      const deadline = started + r.wiring.stopGraceS * 1000;
      while (this.tree(r.process.pid).some((p) => this.alive(p)) && Date.now() < deadline) {
        sh("sleep", ["0.1"]);
      }
      const killed = Date.now() >= deadline;
      const stop: StopRecord = { name, seconds: (Date.now() - started) / 1000, killed };
      fs.appendFileSync(this.stopsFile(), `${JSON.stringify(stop)}\n`);
      for (const pid of this.tree(r.process.pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    this.recordDisk(name);
    this.running.delete(name);
  }

  private diskFile(): string {
    return path.join(this.workDir, "disk.jsonl");
  }

  /**
   * What a container wrote outside its volumes, in MiB: its overlays' upper layers, its /tmp and its
   * log (what Kubernetes counts as the pod's ephemeral storage: writable layer, emptyDirs, logs).
   */
  diskMiB(name: string): number {
    const dir = path.join(this.workDir, "containers", name);
    const bytes = Number(sh("du", ["-sbx", dir], true).split("\t")[0] || 0);
    return Math.ceil(bytes / 2 ** 20);
  }

  private recordDisk(name: string): void {
    fs.appendFileSync(this.diskFile(), `${JSON.stringify({ name, mib: this.diskMiB(name) })}\n`);
  }

  /** Each container's most written outside its volumes, over every start so far (MiB). */
  diskPeaks(): Record<string, number> {
    const f = this.diskFile();
    const records: { name: string; mib: number }[] = fs.existsSync(f)
      ? fs
          .readFileSync(f, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
    records.push(...this.names().map((name) => ({ name, mib: this.diskMiB(name) })));
    const peaks: Record<string, number> = {};
    for (const r of records) peaks[r.name] = Math.max(peaks[r.name] ?? 0, r.mib);
    return peaks;
  }

  /**
   * Runs a command inside a running container (its namespaces, its user and environment), as
   * `docker exec` does; a health check is one such command with the check's timeout.
   */
  exec(
    name: string,
    argv: string[],
    timeoutS = 60,
    as: ExecAs = {},
  ): { status: number | null; output: string } {
    const res = spawnSync("sh", this.execArgs(name, argv, as), {
      encoding: "utf8",
      timeout: timeoutS * 1000,
    });
    return { status: res.status, output: `${res.stdout ?? ""}${res.stderr ?? ""}` };
  }

  /**
   * `exec` without blocking: what runs beside it (another container's health check, a sampler's
   * timer) goes on, as each container's checks do under Docker.
   */
  execAsync(
    name: string,
    argv: string[],
    timeoutS = 60,
  ): Promise<{ status: number | null; output: string }> {
    const child = spawn("sh", this.execArgs(name, argv, {}), {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutS * 1000,
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    return new Promise((resolve) => child.on("close", (status) => resolve({ status, output })));
  }

  /** `sh`'s arguments to run argv inside a running container, as its user with its environment. */
  private execArgs(name: string, argv: string[], as: ExecAs): string[] {
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
    // `docker exec` keeps the container's added groups, whichever user it runs as (nsenter's own
    // --setgid would drop them).
    const groups: number[] = as.groups ?? plan.groups ?? [];
    const user = uid
      ? [
          ...["setpriv", `--reuid=${uid[0]}`, `--regid=${uid[1]}`],
          groups.length ? `--groups=${groups.join(",")}` : "--clear-groups",
        ]
      : [];
    // In the container's cgroup, as `docker exec` is: a notebook's kernel counts for JupyterHub.
    return [
      ...["-c", IN_CGROUP, this.cgroups(name).join(" "), "nsenter", "-t", String(pid)],
      ...["-m", "-n", "-u", "-p", "--wd=/", ...user, "env", "-i", ...env, ...argv],
    ];
  }

  /** The container's own process: the launcher's exec target, below `ip netns exec` and unshare. */
  private mainPid(r: Running): number {
    const tree = this.tree(r.process.pid!);
    // sh (exec) ip → unshare → python3 launch.py, which execs the command in place: the deepest of the chain.
    let pid = r.process.pid!;
    for (;;) {
      const child = tree.find((p) => this.ppid(p) === pid);
      if (!child || !["sh", "ip", "unshare"].includes(this.comm(pid))) return pid;
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

  async health(name: string): Promise<{ ok: boolean; output: string }> {
    const c = this.running.get(name)!.wiring;
    const r = await this.execAsync(name, c.health.test, c.health.timeoutS);
    return { ok: r.status === 0, output: r.output };
  }

  /**
   * Waits as `pulumi up` does (`wait: true`, `waitTimeout`) until the health check passes, checked
   * when Docker checks: each start interval within the start period, each interval after it.
   */
  async waitHealthy(name: string): Promise<number> {
    const r = this.running.get(name)!;
    const c = r.wiring;
    const started = Date.now();
    const deadline = started + c.waitTimeoutS * 1000;
    const pause = () =>
      Date.now() - started < c.health.startPeriodS * 1000
        ? c.health.startIntervalS
        : c.health.intervalS;
    let last = "";
    while (Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, pause() * 1000));
      if (r.exited !== undefined) {
        throw new Error(`${name} exited (${r.exited}) before it was healthy\n${this.tail(name)}`);
      }
      const h = await this.health(name);
      if (h.ok) return (Date.now() - started) / 1000;
      last = h.output;
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

  /** What a running container was started with. */
  wiringOf(name: string): ContainerWiring | undefined {
    return this.running.get(name)?.wiring;
  }

  /** A running container's own process (a restart changes it), or undefined if it is not running. */
  pid(name: string): number | undefined {
    const r = this.running.get(name);
    return r && r.exited === undefined ? this.mainPid(r) : undefined;
  }

  /** Whether a container of this name can run here (up() made its network namespace). */
  knows(name: string): boolean {
    return this.addresses.has(name);
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

  /**
   * Running, not a zombie: this (blocked) event loop reaps its own children only later, and a
   * zombie still has a /proc entry.
   */
  private alive(pid: number): boolean {
    const state = this.stat(pid)[1];
    return state !== undefined && state !== "Z";
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
}
