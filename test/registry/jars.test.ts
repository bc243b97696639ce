/**
 * The jars pinned in images/lab-runtime/Dockerfile, against Maven Central: each downloads, has its
 * pinned SHA-256 and Maven Central's published SHA-1, and fits the image's Spark (the locked
 * PySpark's distribution) and Python pins.
 */
import * as fs from "fs";
import * as path from "path";
import {
  coordinates,
  lockedVersion,
  pinnedJars,
  RUNTIME_DIR,
  SPARK_LOCK,
} from "../../scripts/pins";
import { venvPyspark } from "./pythonLock";
import { fetchPinnedJars, fileDigest, jarCacheDir, mavenSha1 } from "./jars";

const jars = pinnedJars();

/** The version of a jar Spark's distribution (the locked PySpark) carries, by its artifact name. */
function sparkJarVersion(artifact: string): string {
  const jarsDir = path.join(venvPyspark(), "jars");
  const pattern = new RegExp(`^${artifact}-(\\d+\\.\\d+\\.\\d+)\\.jar$`);
  const version = fs
    .readdirSync(jarsDir)
    .map((f) => pattern.exec(f)?.[1])
    .find(Boolean);
  if (!version) throw new Error(`${jarsDir} has no ${artifact}-<version>.jar`);
  return version;
}

/**
 * Spark and Scala versions of the image's Spark: the locked PySpark release (its Spark
 * distribution is the image's /opt/spark) and the Scala library among its jars.
 */
function imageSpark(): { spark: string; scala: string } {
  const spark = lockedVersion(SPARK_LOCK, "pyspark");
  const scala = sparkJarVersion("scala-library").split(".").slice(0, 2).join(".");
  return { spark, scala };
}

/** The delta-spark pin of the image's Python packages (requirements.in). */
function deltaSparkPin(): { version: string; file: string } {
  const file = path.join(RUNTIME_DIR, "requirements.in");
  const m = /^delta[-_.]spark\s*==\s*([^\s;#]+)/im.exec(fs.readFileSync(file, "utf8"));
  if (!m) throw new Error(`${file} does not pin delta-spark`);
  return { version: m[1], file: path.relative(process.cwd(), file) };
}

describe("the Dockerfile's jar list", () => {
  it("is in the documented format: one Maven path and SHA-256 a line, the file named artifact-version.jar", () => {
    expect(jars.length).toBeGreaterThan(0);
    for (const jar of jars) expect(() => coordinates(jar.path)).not.toThrow();
  });

  it("holds Delta Lake and S3A", () => {
    const artifacts = jars.map((j) => coordinates(j.path).artifactId);
    expect(artifacts).toEqual(expect.arrayContaining(["delta-storage", "hadoop-aws"]));
    expect(artifacts.some((a) => a.startsWith("delta-spark_"))).toBe(true);
  });
});

describe("pinned jars on Maven Central", () => {
  it.each(jars.map((j) => [j.path, j] as const))(
    "%s: the file from Maven Central has its pinned SHA-256 and Maven Central's SHA-1",
    async (_path, jar) => {
      const [fetched] = await fetchPinnedJars(jarCacheDir(), [jar]);
      expect(await fileDigest(fetched.file, "sha256")).toBe(jar.sha256);
      expect(await fileDigest(fetched.file, "sha1")).toBe(await mavenSha1(jar.path));
    },
  );
});

describe("pinned jars fit the image", () => {
  const { spark, scala } = imageSpark();
  const sparkMinor = spark.split(".").slice(0, 2).join(".");

  it("every Scala artifact is built for the image's Scala", () => {
    for (const { artifactId } of jars.map((j) => coordinates(j.path))) {
      const suffix = /_(\d+\.\d+)$/.exec(artifactId);
      if (suffix) expect([artifactId, suffix[1]]).toEqual([artifactId, scala]);
    }
  });

  it("every Spark module is at the image's Spark version", () => {
    for (const c of jars.map((j) => coordinates(j.path))) {
      if (c.groupId !== "org.apache.spark") continue;
      expect([c.artifactId, c.version]).toEqual([c.artifactId, spark]);
    }
  });

  it("Hadoop's S3A is the release of the Hadoop client Spark carries", () => {
    const aws = jars.map((j) => coordinates(j.path)).find((c) => c.artifactId === "hadoop-aws");
    expect(aws?.version).toBe(sparkJarVersion("hadoop-client-api"));
  });

  it("the Kafka source for Structured Streaming is there with what it loads", () => {
    const artifacts = jars.map((j) => coordinates(j.path).artifactId);
    expect(artifacts).toEqual(
      expect.arrayContaining([
        `spark-sql-kafka-0-10_${scala}`,
        `spark-token-provider-kafka-0-10_${scala}`,
        "kafka-clients",
        "commons-pool2",
      ]),
    );
  });

  it("Delta's jars are one release, built for the image's Spark, the delta-spark release of its Python packages", () => {
    const delta = jars.map((j) => coordinates(j.path)).filter((c) => c.groupId === "io.delta");
    // delta-spark_<Spark minor>_<Scala> is the build for that Spark (Delta's CrossSparkVersions);
    // Kernel runs under it from Delta 4.2.
    expect(delta.map((c) => c.artifactId).sort()).toEqual([
      "delta-kernel-api",
      "delta-kernel-defaults",
      "delta-kernel-unitycatalog",
      `delta-spark_${sparkMinor}_${scala}`,
      "delta-storage",
    ]);
    const pin = deltaSparkPin();
    for (const c of delta)
      expect([c.artifactId, c.version, pin.file]).toEqual([c.artifactId, pin.version, pin.file]);
  });
});
