import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Temporary directories for one test file, removed when its tests are done. Call at the file's
 * top level (it registers an `afterAll`); the returned function makes one per call.
 */
export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
