import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./harness";

describe("npm test on a machine that cannot run the real-services suite", () => {
  it("stops at once, in one line saying what it needs, before any suite runs", () => {
    // As a user other than root (here, where the suite runs as root: nobody, through setpriv).
    const script = fs.readFileSync(path.join(REPO_ROOT, "scripts/test-prereqs.sh"), "utf8");
    const asUser =
      process.getuid?.() === 0
        ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash"]
        : ["bash"];
    const r = spawnSync(asUser[0], [...asUser.slice(1), "-c", script, "test-prereqs.sh"], {
      cwd: "/",
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: npm test needs Linux and root .* as uid \d+\. Run it as root/,
    );
  });
});
