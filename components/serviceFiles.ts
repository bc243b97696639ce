import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./imageTag";

/** Root of the files the services mount (scripts, config files): `services/` in the repo. */
export const SERVICES_DIR = path.join(REPO_ROOT, "services");

/**
 * Text of a file under `services/`. Service content lives there as real files (readable, lintable,
 * testable on its own), never as strings inside TypeScript.
 */
export function serviceFile(relativePath: string): string {
  return fs.readFileSync(path.join(SERVICES_DIR, relativePath), "utf8");
}
