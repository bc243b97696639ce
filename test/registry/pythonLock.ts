/**
 * The lab runtime's Python locks (images/lab-runtime/requirements.lock and pyspark.lock, written
 * by scripts/lock.sh), read as pip reads them. Shared by the registry suite (python-lock.test.ts)
 * and the real-services suite, which checks what its services report against these pins.
 */
import * as fs from "fs";
import * as path from "path";
import { run } from "../command";
import { REPO_ROOT, RUNTIME_DIR } from "./jars";

export const MAIN_LOCK = path.join(RUNTIME_DIR, "requirements.lock");
export const SPARK_LOCK = path.join(RUNTIME_DIR, "pyspark.lock");

/** PEP 503 name normalization: `Importlib_Metadata` and `importlib-metadata` are one package. */
export const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

export interface LockEntry {
  name: string;
  version: string;
  hashes: string[];
}

/** The entries of a pip-style lock: `name==version \` followed by `--hash=sha256:…` lines. */
export function parseLock(file: string): Map<string, LockEntry> {
  const entries = new Map<string, LockEntry>();
  let current: LockEntry | undefined;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (/^[A-Za-z0-9]/.test(line)) {
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)/.exec(line);
      if (!m) throw new Error(`${path.basename(file)}: not a name==version pin: ${line}`);
      current = { name: normalize(m[1]), version: m[2], hashes: [] };
      if (entries.has(current.name)) throw new Error(`${file}: ${current.name} twice`);
      entries.set(current.name, current);
    } else if (current) {
      for (const h of line.matchAll(/--hash=sha256:([0-9a-f]{64})\b/g)) current.hashes.push(h[1]);
    }
  }
  return entries;
}

/** The version `file` pins for package `name`; fails if it pins none. */
export function lockedVersion(file: string, name: string): string {
  const entry = parseLock(file).get(normalize(name));
  if (!entry) throw new Error(`${path.basename(file)} pins no ${name}`);
  return entry.version;
}

/** The image's Python minor version, the one the locks are resolved for (scripts/lock.sh). */
export function lockedPython(): string {
  const file = path.join(REPO_ROOT, "scripts", "lock.sh");
  const m = /^PYTHON_VERSION=(\d+\.\d+)$/m.exec(fs.readFileSync(file, "utf8"));
  if (!m) throw new Error(`${file} has no PYTHON_VERSION=<major.minor> line`);
  return m[1];
}

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
