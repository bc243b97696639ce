/**
 * A cached, verified download from Maven Central of the jars that images/lab-runtime/Dockerfile
 * adds to Spark (read from the Dockerfile itself, the one place they are pinned, by
 * scripts/pins.ts). The registry suite checks the pins with it; the real-services suite reuses the
 * downloads.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { Transform } from "stream";
import { pipeline } from "stream/promises";
import { pinnedJars, type PinnedJar } from "../../scripts/pins";

export const MAVEN_CENTRAL = "https://repo1.maven.org/maven2";

export interface FetchedJar extends PinnedJar {
  /** Where the verified jar lies in the cache. */
  file: string;
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
