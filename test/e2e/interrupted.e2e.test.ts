/**
 * A run of the real-services suite stopped midway (Ctrl-C, `timeout`, CI cancelling the job) leaves
 * nothing behind: no container process, port forwarder or usage sampler, no network namespace,
 * cgroup or link. Each is checked after a real runtime (interruptedRun.ts) is signalled.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../harness";

if (process.getuid?.() !== 0) {
  throw new Error("the real-services suite needs root (network and mount namespaces)");
}

const CHILD = path.join(__dirname, "interruptedRun.ts");
const PORT = 39917;
/** The container's `sleep` argument, to tell its process from any other. */
const MARKER = "86399";

/** The command lines of every process, by pid. */
function processes(): Map<number, string> {
  const out = new Map<number, string>();
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (cmd) out.set(Number(pid), cmd);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** What a run of the runtime makes that outlives it unless removed. */
function leftovers(): string[] {
  const procs = [...processes().values()].filter(
    (c) =>
      c === `sleep ${MARKER}` ||
      c.includes("test/e2e/usage.py") ||
      c.startsWith(`socat TCP-LISTEN:${PORT},`),
  );
  const netns = fs.existsSync("/run/netns")
    ? fs.readdirSync("/run/netns").filter((n) => n.startsWith("dfl-"))
    : [];
  const links = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((l) => /^\d+: (dfl-br0|dflv\d+)[@:]/.test(l))
    .map((l) => l.split(":")[1].trim());
  const cgroups = ["memory", "cpu", "cpuacct"].flatMap((c) => {
    const line = fs
      .readFileSync("/proc/self/cgroup", "utf8")
      .split("\n")
      .map((l) => l.split(":"))
      .find((f) => f.length >= 3 && f[1].split(",").includes(c));
    const dir = line && path.join("/sys/fs/cgroup", line[1], line.slice(2).join(":"));
    return dir && fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((d) => d.startsWith("dfl-"))
          .map((d) => `${c}/${d}`)
      : [];
  });
  return [
    ...procs.map((p) => `process: ${p}`),
    ...netns.map((n) => `netns: ${n}`),
    ...links.map((l) => `link: ${l}`),
    ...cgroups.map((g) => `cgroup: ${g}`),
  ];
}

async function startRun(): Promise<{ child: ReturnType<typeof spawn>; work: string }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-interrupted-"));
  const child = spawn(
    process.execPath,
    ["-r", require.resolve("ts-node/register/transpile-only"), CHILD, work, String(PORT), MARKER],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let said = "";
  child.stderr!.on("data", (d) => (said += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("started") && resolve());
    child.on("exit", (code) =>
      reject(new Error(`the run exited (${code}) before starting:\n${said}`)),
    );
  });
  return { child, work };
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 10 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
}

describe("a real-services run stopped midway", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s: the run takes down its container, forwarder, sampler, namespace, cgroups and links, and dies of the signal",
    async (signal) => {
      const { child, work } = await startRun();
      try {
        // Everything is there while it runs: the check below sees what it should.
        await until(() => leftovers().includes(`process: sleep ${MARKER}`), 20);
        expect(leftovers()).toEqual(
          expect.arrayContaining([
            `process: sleep ${MARKER}`,
            "netns: dfl-interrupted",
            "link: dfl-br0",
            `process: socat TCP-LISTEN:${PORT},bind=127.0.0.1,reuseaddr,fork TCP:10.213.0.2:8080`,
            "cgroup: memory/dfl-interrupted",
          ]),
        );
        expect(leftovers().some((l) => l.includes("usage.py"))).toBe(true);
        const exited = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_c, s) => r(s)));
        child.kill(signal);
        expect(await exited).toBe(signal);
        await until(() => leftovers().length === 0, 5);
        expect(leftovers()).toEqual([]);
      } finally {
        child.kill("SIGKILL");
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it("SIGKILL (nothing runs in the run's process): the sampler stops with it, and the next run's start removes the rest", async () => {
    const { child, work } = await startRun();
    try {
      await until(() => leftovers().includes(`process: sleep ${MARKER}`), 20);
      child.kill("SIGKILL");
      await until(() => !leftovers().some((l) => l.includes("usage.py")), 5);
      expect(leftovers().filter((l) => l.includes("usage.py"))).toEqual([]);
      // The next run starts clean: its up() removes what the killed one left.
      const next = await startRun();
      next.child.kill("SIGTERM");
      await new Promise((r) => next.child.on("exit", r));
      fs.rmSync(next.work, { recursive: true, force: true });
      await until(() => leftovers().length === 0, 5);
      expect(leftovers()).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
