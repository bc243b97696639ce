/**
 * The whole lab, started from the program's wiring the way `pulumi up` starts it on Docker: every
 * container once everything it depends on is healthy (and, where it needs the lake, once MinIO's
 * buckets, users and policies exist), each waited for by its own health check.
 */
import * as fs from "fs";
import * as path from "path";
import { ensureInstalls, type Installs } from "./installs";
import { applyLake } from "./lake";
import { localImages, NOT_RUNNABLE } from "./images";
import { LabRuntime } from "./runtime";
import type { ContainerWiring, LabWiring } from "./wiring";

export interface StartReport {
  /** Seconds from start to healthy, per container. */
  readonly healthyAfterS: Record<string, number>;
  /** Containers the suite cannot run here, with the reason. */
  readonly notRun: Record<string, string>;
  /** Per bucket: whether `pulumi up` would have found it already there (and adopted it). */
  readonly adoptedBuckets: Record<string, boolean>;
}

export class Lab {
  runtime?: LabRuntime;
  installs?: Installs;

  constructor(
    /** Survives restarts: the named volumes' data. */
    readonly volumesDir: string,
    readonly workDir: string,
  ) {}

  async start(wiring: LabWiring): Promise<StartReport> {
    const installs = (this.installs = await ensureInstalls());
    const images = localImages(installs);
    const runnable = wiring.containers.filter((c) => !(c.image in NOT_RUNNABLE));
    const notRun = Object.fromEntries(
      wiring.containers
        .filter((c) => c.image in NOT_RUNNABLE)
        .map((c) => [c.name, NOT_RUNNABLE[c.image]]),
    );
    fs.mkdirSync(this.volumesDir, { recursive: true });
    const runtime = (this.runtime = new LabRuntime(this.workDir, runnable));
    runtime.up();

    const healthyAfterS: Record<string, number> = {};
    const ready = new Map<string, Promise<void>>();
    const byName = new Map(runnable.map((c) => [c.name, c]));
    let lake: Promise<void> | undefined;
    let adoptedBuckets: Record<string, boolean> = {};
    const startOne = (c: ContainerWiring): Promise<void> => {
      if (!ready.has(c.name)) {
        const deps = c.after.filter((d) => byName.has(d)).map((d) => startOne(byName.get(d)!));
        if (c.needsLake)
          deps.push(
            (lake ??= startOne(byName.get("minio")!).then(async () => {
              adoptedBuckets = await applyLake(installs.mcBin, wiring.lake);
            })),
          );
        ready.set(
          c.name,
          Promise.all(deps).then(async () => {
            const image = images[c.image];
            if (!image) throw new Error(`no local image for ${c.image} (test/e2e/images.ts)`);
            runtime.start(c, image, this.volumesDir);
            healthyAfterS[c.name] = await runtime.waitHealthy(c.name);
            process.stderr.write(`e2e: ${c.name} healthy after ${healthyAfterS[c.name]}s\n`);
          }),
        );
      }
      return ready.get(c.name)!;
    };
    await Promise.all(runnable.map(startOne));
    return { healthyAfterS, notRun, adoptedBuckets };
  }

  stop(): void {
    this.runtime?.down();
  }
}

export function workDirs(root: string): { volumes: string; work: string } {
  return { volumes: path.join(root, "volumes"), work: path.join(root, "run") };
}
