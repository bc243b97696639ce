/**
 * The lab runtime's locked Python environment (scripts/python-env.sh installs
 * images/lab-runtime/requirements.lock and pyspark.lock, whose readers are in scripts/pins.ts).
 * Shared by the registry suite and the real-services suite, which runs the lab's Python services
 * and Spark from it.
 */
import * as fs from "fs";
import * as path from "path";
import { lockedPython, REPO_ROOT } from "../../scripts/pins";
import { run } from "../command";

/** scripts/python-env.sh, run once per process: the locked venv's path. */
let venv: string | undefined;
let venvError: Error | undefined;
export function labVenv(): string {
  if (venvError) throw venvError;
  if (!venv) {
    try {
      const { stdout } = run("bash", [path.join(REPO_ROOT, "scripts/python-env.sh")], {
        cwd: REPO_ROOT,
      });
      venv = stdout.trim().split("\n").pop()!;
      if (!fs.existsSync(path.join(venv, "bin/python"))) {
        throw new Error(`scripts/python-env.sh printed ${venv}, which has no bin/python`);
      }
    } catch (e) {
      venvError = e as Error;
      throw e;
    }
  }
  return venv;
}

/** The Spark distribution PySpark carries in the venv (bin/, sbin/, jars/). */
export function venvPyspark(venvDir = labVenv()): string {
  return path.join(venvDir, "lib", `python${lockedPython()}`, "site-packages", "pyspark");
}
