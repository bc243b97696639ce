/**
 * The real-services suite: the dev stack's wiring (wiring.ts) started as local processes
 * (lab.ts), and the lab's own scenario run through them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Lab, workDirs, type StartReport } from "./lab";
import { labWiring, type LabWiring } from "./wiring";

if (process.getuid?.() !== 0) {
  throw new Error("the real-services suite needs root (network and mount namespaces)");
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-e2e-"));
const dirs = workDirs(root);
let lab: Lab;
let wiring: LabWiring;
let started: StartReport;

beforeAll(
  async () => {
    wiring = await labWiring();
    lab = new Lab(dirs.volumes, dirs.work);
    started = await lab.start(wiring);
  },
  40 * 60 * 1000,
);

afterAll(() => {
  lab?.stop();
});

describe("the dev stack's services, started from the program's wiring", () => {
  it("every runnable service passes its own declared health check", () => {
    const runnable = wiring.containers.map((c) => c.name).filter((n) => !(n in started.notRun));
    expect(Object.keys(started.healthyAfterS).sort()).toEqual(runnable.sort());
    for (const name of runnable) expect(lab.runtime!.health(name)).toMatchObject({ ok: true });
    process.stderr.write(`e2e: healthy after (s): ${JSON.stringify(started.healthyAfterS)}\n`);
    process.stderr.write(`e2e: not run here: ${JSON.stringify(started.notRun)}\n`);
  });
});
