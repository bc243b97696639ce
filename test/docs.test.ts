/**
 * The documentation as a reader meets it: the README a front door that fits on a few screens, every
 * link in it and in docs/ leading somewhere (a file of this repository, a heading in it), and the
 * license package.json names, in full.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configKeys, referenceTable } from "../scripts/docs/config";
import { stale } from "../scripts/docs/main";
import { cpuTable, recordRun, servicesTable } from "../scripts/docs/services";
import { REPO_ROOT } from "./harness";

const DOCS = path.join(REPO_ROOT, "docs");
const pages = [
  "README.md",
  ...fs
    .readdirSync(DOCS)
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => fs.readFileSync(path.join(REPO_ROOT, page), "utf8");

/** The page without its fenced code blocks, where `[x](y)` is code, not a link. */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** GitHub's anchor of each heading: lower case, punctuation but `-` and `_` dropped, spaces → `-`. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every link and image target of a page that points into the repository. */
function localLinks(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^[a-z]+:/.test(t));
}

describe("the documentation", () => {
  it("the README is a front door: at most 200 lines", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(200);
  });

  it.each(pages)(
    "every link in %s resolves: the file exists, and the heading its anchor names",
    (page) => {
      const broken: string[] = [];
      for (const link of localLinks(read(page))) {
        const [file, anchor] = link.split("#");
        const target = file ? path.normalize(path.join(path.dirname(page), file)) : page;
        if (!fs.existsSync(path.join(REPO_ROOT, target))) broken.push(`${link}: no ${target}`);
        else if (anchor !== undefined && !anchors(read(target)).has(anchor)) {
          broken.push(`${link}: no heading #${anchor} in ${target}`);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it("the README links every page of docs/", () => {
    const linked = new Set(localLinks(read("README.md")).map((l) => l.split("#")[0]));
    expect(pages.filter((p) => p !== "README.md" && !linked.has(p))).toEqual([]);
  });

  it("is what `npm run docs` writes: the config reference and Pulumi.yaml's keys, from the schema", async () => {
    expect(await stale()).toEqual([]);
  });

  it("refuses to write a reference with an undocumented key", () => {
    const keys = configKeys();
    const bare = keys.map((k) => (k.key === "spark.workers" ? { ...k, doc: {} } : k));
    expect(() => referenceTable(bare, {})).toThrow("config key spark.workers has no description");
    // Every key has a description, and a kind (the enums' are their values).
    expect(keys.filter((k) => !k.doc.description).map((k) => k.key)).toEqual([]);
    expect(referenceTable(keys, {})).not.toMatch(/\| undefined \|/);
  });

  it("records a real-services run's peaks by service, keeping the highest of every run, and its CPU figures", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-report-"));
    const used = (service: string, workingSetMiB: number, cpuSeconds: number) => ({
      service,
      workingSetMiB,
      cpuSeconds,
      throttledSeconds: cpuSeconds / 100,
      cpus: 1,
    });
    fs.writeFileSync(
      path.join(dir, "memory.json"),
      JSON.stringify([
        used("spark-worker-1", 1100, 300.4),
        used("spark-worker-2", 900, 99.6),
        used("minio", 300, 80),
        used("superset", 200, 20),
      ]),
    );
    const before = { runs: ["first"], peakMiB: { minio: 481, "spark-worker": 1070 } };
    const after = recordRun(before, dir, "second");
    expect(after).toEqual({
      runs: ["first", "second"],
      peakMiB: { minio: 481, "spark-worker": 1100, superset: 200 },
      cpu: {
        run: "second",
        containers: {
          minio: { seconds: 80, throttledSeconds: 0.8, cpus: 1 },
          "spark-worker-1": { seconds: 300, throttledSeconds: 3, cpus: 1 },
          "spark-worker-2": { seconds: 100, throttledSeconds: 1, cpus: 1 },
          superset: { seconds: 20, throttledSeconds: 0.2, cpus: 1 },
        },
      },
    });
    // The same run twice is one run.
    expect(recordRun(after, dir, "second")).toEqual(after);
    const table = cpuTable(after).split("\n");
    expect(table[0]).toBe("The latest run recorded (second):");
    expect(table).toContain("| spark-worker-1 | 300 | 60 % | 1 | 3.0 |");
    expect(table.at(-1)).toBe("| **All** | **500** | | | |");
    expect(() => cpuTable(before)).toThrow("has no CPU run");
    fs.rmSync(dir, { recursive: true });
  });

  it("the README's table names every service the program deploys, or npm run docs fails", () => {
    const outputs = {
      urls: { superset: "http://localhost:8088" },
      memoryLimitMiB: { services: { superset: 512 }, total: 512 },
    };
    expect(() => servicesTable(outputs, outputs, { runs: [], peakMiB: {} })).toThrow(
      "the program deploys superset, which no row of ROWS (scripts/docs/services.ts) names",
    );
  });

  it("LICENSE holds the license package.json names, in full", () => {
    const pkg = JSON.parse(read("package.json"));
    expect(pkg.license).toBe("Apache-2.0");
    const license = read("LICENSE");
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain("END OF TERMS AND CONDITIONS");
  });

  it("the anchors follow GitHub's rule, so a link checked here works there", () => {
    expect([
      ...anchors(
        "## Lifecycle: what is kept, and how it comes back\n## `dev`: 1 to create\n# A\n# A",
      ),
    ]).toEqual(["lifecycle-what-is-kept-and-how-it-comes-back", "dev-1-to-create", "a", "a-1"]);
  });
});
