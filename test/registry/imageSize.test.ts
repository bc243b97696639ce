/**
 * The preflight's disk floor for the lab runtime image (LAB_RUNTIME_LEAST_MIB) against what it
 * stands for, measured: the locked Python packages, installed as scripts/python-env.sh installs
 * them, and the jars the Dockerfile pins, downloaded. The floor may not exceed them (the preflight
 * would refuse a disk that is big enough) nor fall a tenth below (it would stop catching a disk
 * that is too small as the locks grow).
 */
import * as fs from "fs";
import * as path from "path";
import { LAB_RUNTIME_LEAST_MIB } from "../../scripts/preflight/checks";
import { fetchPinnedJars } from "./jars";
import { labVenv } from "./pythonLock";

/** Bytes of every file below `dir`, bytecode left out (Python writes it on import). */
function bytesBelow(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__pycache__") total += bytesBelow(at);
    } else if (entry.isFile() && !entry.name.endsWith(".pyc")) {
      total += fs.statSync(at).size;
    }
  }
  return total;
}

describe("the lab runtime's disk floor", () => {
  it("is what its locked packages and pinned jars take, within a tenth below", async () => {
    const jars = await fetchPinnedJars();
    const bytes =
      bytesBelow(labVenv()) + jars.reduce((sum, j) => sum + fs.statSync(j.file).size, 0);
    const measured = Math.floor(bytes / 2 ** 20);
    const range = `${Math.ceil(0.9 * measured)}–${measured} MiB (measured ${measured})`;
    const fits = LAB_RUNTIME_LEAST_MIB >= 0.9 * measured && LAB_RUNTIME_LEAST_MIB <= measured;
    // On failure: set LAB_RUNTIME_LEAST_MIB in scripts/preflight/checks.ts within the range.
    expect(fits ? range : `${LAB_RUNTIME_LEAST_MIB} MiB, outside ${range}`).toBe(range);
  });
});
