/**
 * The lab's own Python content (lab/: the medallion flow, the dashboard) run by its unittest suite
 * (test/lab/) in the lab runtime's locked environment (scripts/python-env.sh), with the image's
 * pinned Delta jars for local Spark. The Python side does the asserting; this only runs it and
 * fails with its output.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { pinnedJars, REPO_ROOT } from "../../scripts/pins";
import { fetchPinnedJars, jarCacheDir } from "./jars";
import { labVenv } from "./pythonLock";

const TIMEOUT_MS = 20 * 60 * 1000;

describe("the lab's Python content, in the locked runtime", () => {
  it("passes its unittest suite (test/lab): the medallion flow and the dashboard", async () => {
    const python = path.join(labVenv(), "bin", "python");
    const jars = await fetchPinnedJars(jarCacheDir(), pinnedJars());
    const r = spawnSync(python, ["-m", "unittest", "discover", "-s", "test/lab", "-v"], {
      cwd: REPO_ROOT,
      env: { ...process.env, LAB_JARS: jars.map((j) => j.file).join(":") },
      encoding: "utf8",
      timeout: TIMEOUT_MS,
      maxBuffer: 64 << 20,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0)
      throw new Error(`unittest failed:\n${output.split("\n").slice(-80).join("\n")}`);
    expect(output).toMatch(/\nOK\b/);
  });
});
