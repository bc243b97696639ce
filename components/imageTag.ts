import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * The repository root (where Pulumi.yaml is): the build context of the lab's own images. Found by
 * walking up, so the program also works compiled to another folder (npm run bench).
 */
export const REPO_ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}

/**
 * Tag of an image built from this repository: a hash of every file its build reads. The same
 * content always gives the same tag (so previews stay quiet), and any change gives a new one (so the
 * image is rebuilt and the containers using it are replaced).
 */
export function contentTag(inputs: readonly string[], root = REPO_ROOT): string {
  const hash = crypto.createHash("sha256");
  for (const file of inputs.flatMap((i) => filesUnder(root, i)).sort()) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

function filesUnder(root: string, relative: string): string[] {
  const full = path.join(root, relative);
  if (!fs.statSync(full).isDirectory()) return [relative.split(path.sep).join("/")];
  return fs
    .readdirSync(full)
    .filter((name) => name !== "__pycache__" && !name.endsWith(".pyc"))
    .flatMap((name) => filesUnder(root, path.join(relative, name)));
}
