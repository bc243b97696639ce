/**
 * What the real-services suite runs the lab's images from, installed once and cached under
 * ~/.cache/dataflow-lab (keyed by the locks and pins the images use): the lab runtime's Python
 * environment (its own lock), a Spark home laid out as the image's /opt/spark (the locked PySpark's
 * distribution plus the image's pinned jars), JupyterHub's proxy (its npm lock, on the image's Node), MinIO and mc (Go module proxy),
 * Kafka 4.4.0 and PostgreSQL 17.11 (Maven Central) and Debian's packages (PostgreSQL's clients,
 * tini, ncat, socat, Chromium).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pinnedJars } from "../../scripts/pins";
import { fetchPinnedJars, jarCacheDir } from "../registry/jars";
import { imageNode, installProxy, nodeOfImage } from "../registry/proxy";
import { labVenv, venvPyspark } from "../registry/pythonLock";
import { assignments, run } from "../command";
import { REPO_ROOT } from "../harness";

export interface Installs {
  /** The lab runtime's venv (scripts/python-env.sh). */
  readonly venv: string;
  /** A SPARK_HOME: PySpark's bin, sbin and jars, plus the image's pinned jars. */
  readonly sparkHome: string;
  /** Directories holding `node` (the image's release) and `configurable-http-proxy`. */
  readonly proxyPath: string[];
  readonly minioBin: string;
  readonly mcBin: string;
  /** Kafka 4.4.0's jars and the image's /etc/kafka/docker files (test/e2e/prereqs/kafka.sh). */
  readonly kafkaHome: string;
  /** PostgreSQL's server binaries, the image's release (test/e2e/prereqs/postgres.sh). */
  readonly pgBin: string;
  readonly javaHome: string;
  readonly chromium: string;
}

const PREREQS = path.join(REPO_ROOT, "test/e2e/prereqs");
export const CACHE = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
  "dataflow-lab",
);

/** `NAME=value` lines of a prereqs script. */
function vars(script: string): Record<string, string> {
  return assignments(run("bash", [path.join(PREREQS, script)]).stdout);
}

/** The SQL endpoint's login class, which the image compiles into /opt/spark/jars too. */
const SQL_AUTH = path.join(REPO_ROOT, "images/lab-runtime/sql-auth");
const sqlAuthSources = () =>
  fs
    .readdirSync(path.join(SQL_AUTH, "dataflowlab"))
    .filter((f) => f.endsWith(".java"))
    .map((f) => path.join(SQL_AUTH, "dataflowlab", f));

/**
 * A Spark home like the image's /opt/spark: the PySpark distribution with the pinned jars added,
 * and the login class compiled as the Dockerfile's sql-auth stage compiles it.
 */
async function sparkHome(venv: string): Promise<string> {
  const jars = await fetchPinnedJars(jarCacheDir(), pinnedJars());
  const pyspark = venvPyspark(venv);
  const hash = crypto.createHash("sha256").update(pyspark);
  hash.update(jars.map((j) => j.sha256).join());
  for (const source of sqlAuthSources()) hash.update(fs.readFileSync(source));
  const key = hash.digest("hex").slice(0, 16);
  const home = path.join(CACHE, "e2e", `spark-home-${key}`);
  if (fs.existsSync(path.join(home, ".complete"))) return home;
  const tmp = `${home}.tmp.${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, "jars"), { recursive: true });
  for (const dir of ["bin", "sbin", "python"]) {
    fs.symlinkSync(path.join(pyspark, dir), path.join(tmp, dir));
  }
  for (const jar of fs.readdirSync(path.join(pyspark, "jars"))) {
    fs.symlinkSync(path.join(pyspark, "jars", jar), path.join(tmp, "jars", jar));
  }
  for (const jar of jars) fs.symlinkSync(jar.file, path.join(tmp, "jars", path.basename(jar.file)));
  const classes = path.join(tmp, "sql-auth-classes");
  run("javac", [
    "--release",
    "17",
    "-cp",
    `${path.join(pyspark, "jars")}/*`,
    "-d",
    classes,
    ...sqlAuthSources(),
  ]);
  run("jar", [
    "--create",
    "--file",
    path.join(tmp, "jars", "lab-sql-auth.jar"),
    "-C",
    classes,
    "dataflowlab",
  ]);
  fs.rmSync(classes, { recursive: true });
  // The image's layout: conf/ (spark-defaults.conf is mounted there) and the work directory.
  fs.mkdirSync(path.join(tmp, "conf"));
  fs.mkdirSync(path.join(tmp, "work-dir"));
  fs.writeFileSync(path.join(tmp, ".complete"), "");
  fs.rmSync(home, { recursive: true, force: true });
  fs.renameSync(tmp, home);
  return home;
}

let installs: Promise<Installs> | undefined;

/** Installs (or finds in the cache) everything once per process. */
export function ensureInstalls(): Promise<Installs> {
  installs ??= (async () => {
    const debian = vars("debian.sh");
    const minio = vars("minio.sh");
    const kafka = vars("kafka.sh");
    const postgres = vars("postgres.sh");
    const venv = labVenv();
    const node = imageNode();
    const nodeBin = nodeOfImage(node.version, node.major).bin;
    const proxy = installProxy(path.join(CACHE, "e2e"), nodeBin);
    const javaHome = path.dirname(
      path.dirname(fs.realpathSync(run("which", ["java"]).stdout.trim())),
    );
    return {
      venv,
      sparkHome: await sparkHome(venv),
      proxyPath: [path.dirname(nodeBin), proxy],
      minioBin: minio.MINIO_BIN,
      mcBin: minio.MC_BIN,
      kafkaHome: kafka.E2E_KAFKA_HOME,
      pgBin: postgres.PG_BIN,
      javaHome,
      chromium: debian.CHROMIUM,
    };
  })();
  return installs;
}
