/**
 * The program as it is at a git ref, in a temporary folder: its stacks, components and stack files
 * (`git archive`), with this checkout's node_modules linked in. The plan's own code evaluates it, so
 * both sides of a diff are read the same way.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../evaluate";

export interface BaseTree {
  readonly ref: string;
  readonly commit: string;
  readonly root: string;
  remove(): void;
}

export function checkoutBase(ref: string, repo: string = REPO_ROOT): BaseTree {
  if (ref === "" || ref.startsWith("-")) throw new Error(`not a git ref: '${ref}'`);
  const commit = git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], "").trim();
  if (commit === "") {
    throw new Error(
      `'${ref}' names no commit here; fetch it first (e.g. git fetch origin main, then --base origin/main)`,
    );
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-plan-"));
  try {
    const archive = spawnSync("git", ["archive", "--format=tar", commit], {
      cwd: repo,
      maxBuffer: 1 << 30,
    });
    if (archive.status !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
    const tar = spawnSync("tar", ["-x", "-C", root], { input: archive.stdout });
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
    if (!fs.existsSync(path.join(root, "stacks", "index.ts"))) {
      throw new Error(`${ref} has no stacks/index.ts: nothing to plan`);
    }
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(root, "node_modules"), "dir");
  } catch (e) {
    fs.rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return { ref, commit, root, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** stdout of a git command; `fallback` if it fails and one is given. */
function git(cwd: string, args: string[], fallback?: string): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status === 0) return r.stdout;
  if (fallback !== undefined) return fallback;
  throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}
