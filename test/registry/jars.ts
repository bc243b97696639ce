/**
 * The jars that images/lab-runtime/Dockerfile adds to Spark, read from the Dockerfile itself (the
 * one place they are pinned), and a cached, verified download of them from Maven Central. The
 * registry suite checks the pins with it; the real-services suite reuses the downloads.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { Transform } from "stream";
import { pipeline } from "stream/promises";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const RUNTIME_DIR = path.join(REPO_ROOT, "images", "lab-runtime");
export const RUNTIME_DOCKERFILE = path.join(RUNTIME_DIR, "Dockerfile");
export const MAVEN_CENTRAL = "https://repo1.maven.org/maven2";

export interface PinnedJar {
  /** Path under Maven Central's maven2/, e.g. io/delta/delta-storage/3.3.2/delta-storage-3.3.2.jar. */
  path: string;
  /** SHA-256 of the jar, lowercase hex. */
  sha256: string;
}

export interface FetchedJar extends PinnedJar {
  /** Where the verified jar lies in the cache. */
  file: string;
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

/** ${XDG_CACHE_HOME:-~/.cache}/dataflow-lab/jars */
export function jarCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "dataflow-lab", "jars");
}

/** Hex digest of a file. */
export async function fileDigest(file: string, algorithm: "sha1" | "sha256"): Promise<string> {
  const hash = crypto.createHash(algorithm);
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest("hex");
}

/** A GET that follows redirects and fails on anything but 200 (a 404 names what is not served). */
function get(url: string, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { timeout: 60_000 }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(get(new URL(res.headers.location, url).toString(), redirects - 1));
      } else if (status !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: HTTP ${status}`));
      } else {
        resolve(res);
      }
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${url}: no answer in 60 s`)));
    request.on("error", reject);
  });
}

/** Maven Central's published SHA-1 of a file (its `.sha1` beside it). */
export async function mavenSha1(jarPath: string): Promise<string> {
  const res = await get(`${MAVEN_CENTRAL}/${jarPath}.sha1`);
  let text = "";
  for await (const chunk of res) text += chunk;
  const m = /^\s*([0-9a-fA-F]{40})\b/.exec(text);
  if (!m) throw new Error(`${MAVEN_CENTRAL}/${jarPath}.sha1 holds no SHA-1: ${text.slice(0, 80)}`);
  return m[1].toLowerCase();
}

/** Downloads one jar to a temporary name beside its cache entry; renamed only once it matches. */
async function download(jar: PinnedJar, file: string): Promise<void> {
  const part = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.part`;
  try {
    const hash = crypto.createHash("sha256");
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(await get(`${MAVEN_CENTRAL}/${jar.path}`), hashing, fs.createWriteStream(part));
    const got = hash.digest("hex");
    if (got !== jar.sha256) {
      throw new Error(
        `${MAVEN_CENTRAL}/${jar.path} has SHA-256 ${got}, the Dockerfile pins ${jar.sha256}`,
      );
    }
    fs.renameSync(part, file);
  } finally {
    fs.rmSync(part, { force: true });
  }
}

/**
 * Each pinned jar from Maven Central into `dir` (by default ${XDG_CACHE_HOME:-~/.cache}/dataflow-lab/jars),
 * named as in the image's /opt/spark/jars, checked against its pinned SHA-256. A cached file that
 * already has the pinned hash is not downloaded again.
 */
export async function fetchPinnedJars(
  dir = jarCacheDir(),
  jars: PinnedJar[] = pinnedJars(),
): Promise<FetchedJar[]> {
  fs.mkdirSync(dir, { recursive: true });
  const fetched: FetchedJar[] = [];
  for (const jar of jars) {
    const file = path.join(dir, path.posix.basename(jar.path));
    if (!fs.existsSync(file) || (await fileDigest(file, "sha256")) !== jar.sha256) {
      await download(jar, file);
    }
    fetched.push({ ...jar, file });
  }
  return fetched;
}
