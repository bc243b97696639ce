/**
 * What the lab runtime image pins, read from the files that pin it (each version is written in one
 * place): its Python locks (images/lab-runtime/requirements.lock and pyspark.lock, written by
 * scripts/lock.sh, read as pip reads them), its Dockerfile's base images and jars, and its proxy's
 * npm lock. Shared by `npm run docs` (docs/versions.md's table), the registry suite, which checks
 * the pins against the registries, and the real-services suite, which runs what they pin and checks
 * what its services report against them.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../components/imageTag";

export { REPO_ROOT };
export const RUNTIME_DIR = path.join(REPO_ROOT, "images", "lab-runtime");
export const RUNTIME_DOCKERFILE = path.join(RUNTIME_DIR, "Dockerfile");
export const MAIN_LOCK = path.join(RUNTIME_DIR, "requirements.lock");
export const SPARK_LOCK = path.join(RUNTIME_DIR, "pyspark.lock");
export const PROXY_LOCK = path.join(RUNTIME_DIR, "proxy", "package-lock.json");

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

export interface PinnedJar {
  /** Path under Maven Central's maven2/, e.g. io/delta/delta-storage/3.3.2/delta-storage-3.3.2.jar. */
  path: string;
  /** SHA-256 of the jar, lowercase hex. */
  sha256: string;
}

export interface MavenCoordinates {
  groupId: string;
  artifactId: string;
  version: string;
}

/** A pin line of the Dockerfile's jar list: indent, `<maven path> <sha256> \`. */
const PIN_LINE = /^\s+([A-Za-z0-9._/-]+\.jar) ([0-9a-f]{64}) \\$/;
/** Anything else in the Dockerfile that starts like one is a typo, not something to skip. */
const LOOKS_LIKE_PIN = /^\s+\S+\.jar(\s|$)/;

/** The jars the Dockerfile pins, in its order. Throws on a malformed or repeated pin line. */
export function pinnedJars(dockerfile = RUNTIME_DOCKERFILE): PinnedJar[] {
  const jars: PinnedJar[] = [];
  fs.readFileSync(dockerfile, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const m = PIN_LINE.exec(line);
      if (m) {
        if (jars.some((j) => j.path === m[1])) {
          throw new Error(`${dockerfile}:${i + 1}: ${m[1]} is pinned twice`);
        }
        jars.push({ path: m[1], sha256: m[2] });
      } else if (LOOKS_LIKE_PIN.test(line)) {
        throw new Error(
          `${dockerfile}:${i + 1}: a jar line must read "<maven path> <sha256, lowercase hex> \\": ${line.trim()}`,
        );
      }
    });
  if (jars.length === 0) throw new Error(`${dockerfile} pins no jar ("<maven path> <sha256> \\")`);
  return jars;
}

/** Group, artifact and version of a Maven Central path (group/as/dirs/artifact/version/file.jar). */
export function coordinates(jarPath: string): MavenCoordinates {
  const parts = jarPath.split("/");
  if (parts.length < 4) throw new Error(`not a Maven repository path: ${jarPath}`);
  const [artifactId, version, file] = parts.slice(-3);
  if (file !== `${artifactId}-${version}.jar`) {
    throw new Error(`${jarPath}: the file should be ${artifactId}-${version}.jar`);
  }
  return { groupId: parts.slice(0, -3).join("."), artifactId, version };
}

/** The images the Dockerfile's stages start from (`FROM <image> [AS <stage>]`), in its order. */
export function baseImages(dockerfile = RUNTIME_DOCKERFILE): string[] {
  const images = [
    ...fs.readFileSync(dockerfile, "utf8").matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)/gim),
  ].map((m) => m[1]);
  if (images.length === 0) throw new Error(`${dockerfile} has no FROM line`);
  return images;
}

/**
 * The version `npm ci` installs of package `name` from an npm lock (lockfile v3, by default the
 * proxy's, images/lab-runtime/proxy/package-lock.json); fails if the lock has none.
 */
export function npmLockedVersion(name: string, lock = PROXY_LOCK): string {
  const { packages } = JSON.parse(fs.readFileSync(lock, "utf8")) as {
    packages?: Record<string, { version?: string }>;
  };
  const version = packages?.[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${path.basename(lock)} pins no ${name}`);
  return version;
}
