/** Running a tool the suites need (npm, bash scripts, a venv's Python), failing with its output. */
import { spawnSync } from "child_process";

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** @default 40 minutes: a cold install (a Go build, a Python environment) takes long. */
  readonly timeoutMs?: number;
}

/**
 * The `NAME=value` lines a script prints on stdout (the prerequisite scripts' convention, and
 * test/engine/podman.sh's); any other line is progress and is left out.
 */
export function assignments(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split("\n")
      .filter((l) => /^[A-Z0-9_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** Last lines of a command's output, for failure messages. */
export function tail(text: string, lines = 60): string {
  return text.split("\n").slice(-lines).join("\n");
}

/**
 * Runs a command and returns what it printed; throws with its exit status and the tail of stdout
 * and stderr unless it exits 0.
 */
export function run(
  cmd: string,
  args: string[],
  opts: RunOptions = {},
): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 256 << 20,
    timeout: opts.timeoutMs ?? 40 * 60 * 1000,
  });
  if (r.error || r.status !== 0) {
    throw new Error(
      `\`${[cmd, ...args].join(" ")}\` failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})\n` +
        `--- stdout (tail) ---\n${tail(r.stdout ?? "")}\n--- stderr (tail) ---\n${tail(r.stderr ?? "")}`,
    );
  }
  return { stdout: r.stdout, stderr: r.stderr };
}
