/**
 * A run of the real-services runtime that is stopped midway, for interrupted.e2e.test.ts: one
 * container (a `sleep` that ignores its stop signal, as PID 1 does), its network namespace,
 * cgroups, published port and the usage sampler, then it waits to be killed.
 *
 *   node -r ts-node/register/transpile-only test/e2e/interruptedRun.ts <work dir> <host port> <seconds>
 */
import * as path from "path";
import type { LocalImage } from "./images";
import { LabRuntime } from "./runtime";
import type { ContainerWiring } from "./wiring";

// The sleep's seconds: an argument no other process on the machine is likely to have.
const [workDir, hostPort, seconds] = process.argv.slice(2);
const container: ContainerWiring = {
  name: "interrupted",
  aliases: ["interrupted"],
  image: "sleeper",
  env: {},
  files: [],
  health: { test: ["true"], intervalS: 1, startIntervalS: 1, timeoutS: 1, startPeriodS: 0 },
  stopGraceS: 2,
  waitTimeoutS: 10,
  ports: [{ host: Number(hostPort), container: 8080 }],
  volumes: [],
  memoryMiB: 64,
  cpus: 1,
  root: true,
  groups: [],
  after: [],
  needsLake: false,
};
const image: LocalImage = {
  mounts: {},
  env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  entrypoint: ["sleep", seconds],
  cmd: [],
  users: [],
  workdir: "/",
};

const runtime = new LabRuntime(path.join(workDir, "run"), [container]);
runtime.up();
runtime.start(container, image, path.join(workDir, "volumes"));
process.stdout.write("started\n");
setInterval(() => undefined, 60_000);
