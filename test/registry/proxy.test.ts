/**
 * JupyterHub's proxy as the lab runtime image installs it: images/lab-runtime/proxy's lock,
 * installed with `npm ci` from the npm registry and run on the Node.js major of the image's
 * `FROM node:` stage, started for real on loopback ports and driven through its REST API.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { run } from "../command";
import { REPO_ROOT } from "../../scripts/pins";
import { imageNode, nodeOfImage, PACKAGE, PROXY_DIR } from "./proxy";

interface PackageJson {
  dependencies: Record<string, string>;
  engines?: { node?: string };
}
interface PackageLock {
  lockfileVersion: number;
  packages: Record<string, { version?: string; integrity?: string; dependencies?: object }>;
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;
const pkg = readJson<PackageJson>(path.join(PROXY_DIR, "package.json"));
const lock = readJson<PackageLock>(path.join(PROXY_DIR, "package-lock.json"));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? "GET", headers: opts.headers, timeout: 10_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("the proxy's package.json and lock", () => {
  it("pin configurable-http-proxy exactly, for the image's Node major", () => {
    expect(pkg.dependencies[PACKAGE]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.engines?.node).toBe(`${imageNode().major}.x`);
  });

  it("are in sync: the lock's root is package.json, every package has an integrity hash", () => {
    expect(lock.lockfileVersion).toBe(3);
    const root = lock.packages[""] as { dependencies?: object; engines?: object };
    expect(root.dependencies).toEqual(pkg.dependencies);
    expect(root.engines).toEqual(pkg.engines);
    expect(lock.packages[`node_modules/${PACKAGE}`].version).toBe(pkg.dependencies[PACKAGE]);
    const entries = Object.entries(lock.packages).filter(([k]) => k !== "");
    expect(entries.length).toBeGreaterThan(1);
    for (const [name, entry] of entries)
      expect([name, entry.integrity]).toEqual([name, expect.stringMatching(/^sha512-/)]);
  });

  it("satisfy npm ci, which refuses a lock out of sync with package.json", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chp-sync-"));
    try {
      for (const f of ["package.json", "package-lock.json"])
        fs.copyFileSync(path.join(PROXY_DIR, f), path.join(dir, f));
      run("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("configurable-http-proxy from the lock, on the image's Node", () => {
  const { version: nodeVersion, major } = imageNode();
  const token = `test-${process.pid}-${Date.now()}`;
  let dir = "";
  let env: NodeJS.ProcessEnv = {};
  let bin = "";
  let proxy: ChildProcess | undefined;
  let upstream: http.Server | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chp-"));
    for (const f of ["package.json", "package-lock.json"])
      fs.copyFileSync(path.join(PROXY_DIR, f), path.join(dir, f));
  });

  afterAll(async () => {
    proxy?.kill("SIGKILL");
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs on the Node major of the image's FROM node: stage", () => {
    const node = nodeOfImage(nodeVersion, major);
    process.stderr.write(`proxy test: Node for the proxy is ${node.source}\n`);
    // npm, and the proxy's `#!/usr/bin/env node`, find this node first.
    env = {
      ...process.env,
      PATH: [path.dirname(node.bin), path.join(dir, "node_modules", ".bin"), process.env.PATH].join(
        path.delimiter,
      ),
    };
    const used = run("node", ["--version"], { env }).stdout.trim();
    expect(used.replace(/^v/, "").split(".")[0]).toBe(major);
  });

  it("installs with npm ci --omit=dev from the lock alone", () => {
    expect(env.PATH).toBeDefined();
    run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: dir,
      env,
    });
    bin = path.join(dir, "node_modules", PACKAGE, "bin", PACKAGE);
    // JupyterHub runs it by name from PATH, through this shebang, on the image's node.
    expect(fs.readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("prints its version", () => {
    expect(bin).not.toBe("");
    expect(run(PACKAGE, ["--version"], { env }).stdout.trim()).toBe(pkg.dependencies[PACKAGE]);
    // The versions table (docs/versions.md) names the release the image runs.
    const readme = fs.readFileSync(path.join(REPO_ROOT, "docs", "versions.md"), "utf8");
    expect(readme).toContain(`configurable-http-proxy ${pkg.dependencies[PACKAGE]} on Node.js`);
  });

  it("serves its REST API with the token only, and proxies a route it is given", async () => {
    expect(bin).not.toBe("");
    upstream = http.createServer((req, res) => res.end(`upstream saw ${req.url}`));
    await new Promise<void>((resolve) => upstream!.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (upstream.address() as net.AddressInfo).port;
    const [port, apiPort] = [await freePort(), await freePort()];

    let output = "";
    proxy = spawn(
      PACKAGE,
      [
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--api-ip",
        "127.0.0.1",
        "--api-port",
        String(apiPort),
      ],
      { env: { ...env, CONFIGPROXY_AUTH_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"] },
    );
    proxy.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    proxy.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      proxy!.once("exit", (code) => resolve(code)),
    );

    const api = `http://127.0.0.1:${apiPort}/api/routes`;
    const auth = { Authorization: `token ${token}` };
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proxy.exitCode !== null)
        throw new Error(`the proxy exited (${proxy.exitCode}):\n${output}`);
      const up = await request(api, { headers: auth }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline)
        throw new Error(`the proxy's API did not answer in 30 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const routes = await request(api, { headers: auth });
    expect(routes.status).toBe(200);
    expect(typeof JSON.parse(routes.body)).toBe("object");
    expect((await request(api)).status).toBe(403);
    expect((await request(api, { headers: { Authorization: "token wrong" } })).status).toBe(403);

    const added = await request(`${api}/lab`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ target: `http://127.0.0.1:${upstreamPort}` }),
    });
    expect(added.status).toBe(201);
    expect(Object.keys(JSON.parse((await request(api, { headers: auth })).body))).toContain("/lab");

    const through = await request(`http://127.0.0.1:${port}/lab/notebook?x=1`);
    expect(through).toEqual({ status: 200, body: "upstream saw /lab/notebook?x=1" });

    proxy.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise((r) => (timer = setTimeout(() => r("no exit in 10 s"), 10_000))),
    ]);
    clearTimeout(timer);
    expect(code).not.toBe("no exit in 10 s");
  });
});
