import { spawn } from "child_process";

/** What a child process printed, and how it ended. */
export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `script` (this repository's; under ts-node, types unchecked, when it is TypeScript, as
 * `npm run` scripts run) in its own Node process in `cwd`: a program evaluated there gets a fresh
 * Pulumi SDK and module registry, and a checkout other than this one its own modules.
 */
export function runScript(
  script: string,
  args: readonly string[],
  cwd: string,
): Promise<ChildResult> {
  const register = script.endsWith(".ts")
    ? ["-r", require.resolve("ts-node/register/transpile-only")]
    : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...register, script, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
