/**
 * The jars pinned in images/lab-runtime/Dockerfile, against Maven Central: each downloads, has its
 * pinned SHA-256 and Maven Central's published SHA-1, and fits the image's Spark and Python pins.
 */
import * as fs from "fs";
import * as path from "path";
import {
  RUNTIME_DIR,
  RUNTIME_DOCKERFILE,
  coordinates,
  fetchPinnedJars,
  fileDigest,
  jarCacheDir,
  mavenSha1,
  pinnedJars,
} from "./jars";

const jars = pinnedJars();
const dockerfile = fs.readFileSync(RUNTIME_DOCKERFILE, "utf8");

/** Spark and Scala versions of the runtime's base image, e.g. apache/spark:3.5.5-scala2.12-…. */
function baseImage(): { spark: string; scala: string } {
  const m = /^FROM apache\/spark:(\d+\.\d+\.\d+)-scala(\d+\.\d+)-\S*(?:\s+AS\s+\S+)?$/m.exec(
    dockerfile,
  );
  if (!m) throw new Error(`${RUNTIME_DOCKERFILE} has no "FROM apache/spark:<x.y.z>-scala<x.y>-…"`);
  return { spark: m[1], scala: m[2] };
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
    expect(artifacts).toEqual(
      expect.arrayContaining(["delta-spark_2.12", "delta-storage", "hadoop-aws"]),
    );
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
  const { spark, scala } = baseImage();

  it("every Scala artifact is built for the base image's Scala", () => {
    for (const { artifactId } of jars.map((j) => coordinates(j.path))) {
      const suffix = /_(\d+\.\d+)$/.exec(artifactId);
      if (suffix) expect([artifactId, suffix[1]]).toEqual([artifactId, scala]);
    }
  });

  /**
   * Spark modules Maven Central does not serve at the image's Spark version, with the release taken
   * instead (the Dockerfile says why); it must stay on the image's minor version and be older.
   */
  const NOT_SERVED_AT_IMAGE_VERSION: Record<string, string> = {
    "spark-sql-kafka-0-10_2.12": "3.5.3",
  };

  it("every Spark module is at the base image's Spark version, or a named older patch of it", () => {
    for (const c of jars.map((j) => coordinates(j.path))) {
      if (c.groupId !== "org.apache.spark") continue;
      const expected = NOT_SERVED_AT_IMAGE_VERSION[c.artifactId] ?? spark;
      expect([c.artifactId, c.version]).toEqual([c.artifactId, expected]);
      const [major, minor, patch] = c.version.split(".").map(Number);
      const [sMajor, sMinor, sPatch] = spark.split(".").map(Number);
      expect([c.artifactId, major, minor, patch <= sPatch]).toEqual([
        c.artifactId,
        sMajor,
        sMinor,
        true,
      ]);
    }
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

  it("Delta's jars are one release, the delta-spark release of the image's Python packages", () => {
    const delta = jars.map((j) => coordinates(j.path)).filter((c) => c.groupId === "io.delta");
    expect(delta.map((c) => c.artifactId).sort()).toEqual([
      `delta-spark_${scala}`,
      "delta-storage",
    ]);
    const pin = deltaSparkPin();
    for (const c of delta)
      expect([c.artifactId, c.version, pin.file]).toEqual([c.artifactId, pin.version, pin.file]);
  });
});
