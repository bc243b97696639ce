/**
 * docs/versions.md's table (scripts/docs/versions.ts): every version it says the lab runs is the
 * one the lab pins, read from where it is pinned, and a row naming something the lab does not pin
 * fails the generation. (test/docs.test.ts checks that the committed table is the generated one.)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../components/config";
import { SERVICE_IMAGES } from "../components/images";
import { labPins, ROWS, versionsTable, type Pins } from "../scripts/docs/versions";
import {
  baseImages,
  coordinates,
  lockedVersion,
  MAIN_LOCK,
  pinnedJars,
  REPO_ROOT,
  RUNTIME_DIR,
} from "../scripts/pins";

const pins = labPins();

/** Each row's cells, by the table's column names. */
function rows(table: string): Record<string, string>[] {
  const [header, , ...body] = table.split("\n");
  const cells = (line: string) => line.replace(/^\| | \|$/g, "").split(" | ");
  const names = cells(header);
  return body.map((line) => Object.fromEntries(cells(line).map((c, i) => [names[i], c])));
}

const labCells = rows(versionsTable(pins)).map((r) => r.Lab);

/** The images the program pins: SERVICE_IMAGES, and each config section's default image. */
const programImages = [
  ...Object.values(SERVICE_IMAGES),
  ...Object.values(parseConfig({}, "dev")).flatMap((section) => {
    const image = (section as { image?: unknown } | undefined)?.image;
    return typeof image === "string" ? [image] : [];
  }),
];

describe("docs/versions.md's table", () => {
  it("names each upstream image exactly as the program pins it", () => {
    expect(programImages).toEqual(expect.arrayContaining(["postgres:17.11-bookworm"]));
    expect(programImages.length).toBeGreaterThanOrEqual(5);
    for (const image of programImages) {
      expect(labCells.filter((c) => c.includes(`\`${image}\``))).toHaveLength(1);
    }
  });

  it("states the lab runtime's Python packages and jars at their locked versions", () => {
    const named = labCells.flatMap((c) => [...c.matchAll(/`([\w.-]+)(?:\[[\w,]+\])?==([^`]+)`/g)]);
    expect(named.map((m) => m[1]).sort()).toEqual(
      ["delta-spark", "jupyterhub", "mlflow", "prefect", "streamlit"].sort(),
    );
    for (const [, name, version] of named) expect(version).toBe(pins.python(name));
    expect(named.find((m) => m[1] === "mlflow")![2]).toBe(lockedVersion(MAIN_LOCK, "mlflow"));

    const jars = new Map(pinnedJars().map((j) => [coordinates(j.path).artifactId, j]));
    const coords = labCells.flatMap((c) => [...c.matchAll(/`([\w.-]+):([^`@]+)`/g)]);
    const jarsNamed = coords.filter(([, artifact]) => jars.has(artifact));
    expect(jarsNamed.length).toBe(4);
    for (const [, artifact, version] of jarsNamed) {
      expect(version).toBe(coordinates(jars.get(artifact)!.path).version);
    }
  });

  it("types no version of the Lab column by hand: with every pin at 9.9.9, every number is 9s", () => {
    const fake: Pins = {
      image: (name) => `registry.example/${name}:9.9.9`,
      python: () => "9.9.9",
      jar: (artifact) => ({ groupId: "example", artifactId: artifact, version: "9.9.9" }),
      base: (repository) => `${repository}:9.9.9-fake`,
      npm: () => "9.9.9",
    };
    const typed = ROWS.flatMap((row) =>
      [...row.lab(fake).matchAll(/(?<![\w.])\d+(?:\.\d+)*/g)]
        .map((m) => m[0])
        .filter((n) => !/^9(\.9)*$/.test(n))
        .map((n) => `${row.component}: ${n}`),
    );
    expect(typed).toEqual([]);
  });

  it("follows a pin that moves: the Lab column reads the checkout's locks", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-versions-"));
    try {
      fs.cpSync(RUNTIME_DIR, path.join(root, "images", "lab-runtime"), {
        recursive: true,
        filter: (f) => !f.includes("node_modules"),
      });
      const lock = path.join(root, "images", "lab-runtime", "requirements.lock");
      const text = fs.readFileSync(lock, "utf8");
      expect(text).toMatch(/^mlflow==/m);
      fs.writeFileSync(lock, text.replace(/^mlflow==\S+/m, "mlflow==3.99.0"));
      expect(versionsTable(labPins(root))).toContain("`mlflow[auth]==3.99.0` in the lab runtime");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("fails, saying where it looked, on a lookup of something the lab does not pin", () => {
    expect(() => pins.python("not-a-package")).toThrow(
      "images/lab-runtime/requirements.lock and images/lab-runtime/pyspark.lock pin no not-a-package",
    );
    expect(() => pins.image("superset")).toThrow('the program pins no image "superset"');
    expect(() => pins.jar("hadoop-azure")).toThrow(
      "images/lab-runtime/Dockerfile pins no jar hadoop-azure",
    );
    expect(() => pins.base("ubuntu")).toThrow("images/lab-runtime/Dockerfile has no FROM ubuntu");
    expect(() => pins.npm("not-a-package")).toThrow("package-lock.json pins no not-a-package");
    // In a row, the generation fails naming the row.
    const row = { ...ROWS[0], lab: (p: Pins) => `\`superset==${p.python("superset")}\`` };
    expect(() => versionsTable(pins, [row])).toThrow(
      "docs/versions.md, row Spark (scripts/docs/versions.ts): images/lab-runtime/requirements.lock and images/lab-runtime/pyspark.lock pin no superset",
    );
  });

  it("fails on a support end not recorded for the release line the lab pins", () => {
    const moved: Pins = {
      ...pins,
      image: (name) => (name === "postgres" ? "postgres:18.1-bookworm" : pins.image(name)),
    };
    expect(() => versionsTable(moved)).toThrow(
      "row PostgreSQL (scripts/docs/versions.ts): no support end recorded for PostgreSQL 18",
    );
  });

  it("the lab runtime's build JDK (its SQL login class) is the very release of its JRE", () => {
    const temurin = baseImages().filter((b) => b.startsWith("eclipse-temurin:"));
    expect(temurin.map((b) => b.replace(/-(jre|jdk)-/, "-*-"))).toEqual([
      pins.base("eclipse-temurin", "-jre-").replace("-jre-", "-*-"),
      pins.base("eclipse-temurin", "-jre-").replace("-jre-", "-*-"),
    ]);
    expect(temurin.sort()).toEqual([
      pins.base("eclipse-temurin", "-jdk-"),
      pins.base("eclipse-temurin", "-jre-"),
    ]);
  });

  it("is the table of docs/versions.md", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "versions.md"), "utf8");
    expect(doc).toContain(`${versionsTable(pins)}\n<!-- end of generated -->`);
  });
});
