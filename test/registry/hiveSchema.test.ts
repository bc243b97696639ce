/**
 * The catalog's schema (services/postgres/hive-metastore-schema.sql) is what scripts/hive-schema.sh
 * writes from Hive's release tarball on Maven Central, pinned by SHA-256: nothing in it is edited by
 * hand, and the pin still downloads and matches.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/pins";

const SCRIPT = path.join(REPO_ROOT, "scripts/hive-schema.sh");
const SCHEMA = path.join(REPO_ROOT, "services/postgres/hive-metastore-schema.sql");
const check = (script: string) =>
  spawnSync("bash", [script, "--check"], { encoding: "utf8", timeout: 10 * 60 * 1000 });

describe("the catalog's Hive metastore schema", () => {
  it("is exactly what scripts/hive-schema.sh writes from the pinned Hive release", () => {
    const r = check(SCRIPT);
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });

  it("--check fails, saying what to run, when the committed file was edited", () => {
    // A copy of the repository's script and schema, so the check compares against an edited file.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "hive-schema-"));
    try {
      fs.mkdirSync(path.join(copy, "scripts"));
      fs.mkdirSync(path.join(copy, "services/postgres"), { recursive: true });
      fs.copyFileSync(SCRIPT, path.join(copy, "scripts/hive-schema.sh"));
      fs.writeFileSync(
        path.join(copy, "services/postgres/hive-metastore-schema.sql"),
        fs.readFileSync(SCHEMA, "utf8").replace("2.3.0", "2.3.1"),
      );
      const r = check(path.join(copy, "scripts/hive-schema.sh"));
      expect([r.status, r.stderr.trim()]).toEqual([
        1,
        expect.stringContaining("is not what scripts/hive-schema.sh writes: run it"),
      ]);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
