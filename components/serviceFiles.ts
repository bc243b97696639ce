import * as fs from "fs";
import * as path from "path";

/** Root of the files the services mount (scripts, config templates, apps): `services/` in the repo. */
export const SERVICES_DIR = path.resolve(__dirname, "..", "services");

/**
 * Text of a file under `services/`. Service content lives there as real files (readable, lintable,
 * testable on its own), never as strings inside TypeScript.
 */
export function serviceFile(relativePath: string): string {
  return fs.readFileSync(path.join(SERVICES_DIR, relativePath), "utf8");
}
