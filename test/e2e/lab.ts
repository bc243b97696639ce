/**
 * The whole lab, started from the program's wiring the way `pulumi up` starts it on Docker: every
 * container once everything it depends on is healthy (and, where it needs the lake, once MinIO's
 * buckets, users and policies exist), each waited for by its own health check; and changed, as a
 * later `pulumi up` changes it, when the program's config changes.
 */
import * as fs from "fs";
import * as path from "path";
import { ensureInstalls, type Installs } from "./installs";
import { applyLake } from "./lake";
import { localImages, NOT_RUNNABLE } from "./images";
import { LabRuntime } from "./runtime";
import type { ContainerWiring, LabWiring } from "./wiring";

export interface StartReport {
  /** Seconds from start to healthy, per container started. */
  readonly healthyAfterS: Record<string, number>;
  /** Peak working set (MiB) of each container started, from its start until healthy. */
  readonly startPeakMiB: Record<string, number>;
  /** Containers the suite cannot run here, with the reason. */
  readonly notRun: Record<string, string>;
  /** Per bucket created: whether `pulumi up` would have found it already there (and adopted it). */
  readonly adoptedBuckets: Record<string, boolean>;
}

/** What an `apply` changed among the running containers. */
export interface ApplyReport extends StartReport {
  /** Stopped and started again with new settings (delete-before-replace, as the program asks). */
  readonly replaced: string[];
  /** Stopped, no longer declared. */
  readonly removed: string[];
  /** Declared now, not before. */
  readonly added: string[];
}

/** A container's own settings: what Docker replaces it for when one changes (not its ordering). */
const settings = (c: ContainerWiring) =>
  JSON.stringify({ ...c, after: undefined, needsLake: undefined });

export class Lab {
  runtime?: LabRuntime;
  installs?: Installs;
  /** What the running lab was last brought to: the state a next `apply` starts from. */
  private current?: LabWiring;
  /** Each container's highest working set from a start until healthy, over every start (MiB). */
  readonly startPeaksMiB: Record<string, number> = {};

  constructor(
    /** Survives restarts: the named volumes' data. */
    readonly volumesDir: string,
    readonly workDir: string,
  ) {}

  /** Starts the lab from nothing (its volumes may hold data), as a first `pulumi up` does. */
  async start(wiring: LabWiring): Promise<StartReport> {
    this.installs = await ensureInstalls();
    fs.mkdirSync(this.volumesDir, { recursive: true });
    this.runtime = new LabRuntime(this.workDir, runnable(wiring.containers));
    this.runtime.up();
    this.current = undefined;
    return this.apply(wiring);
  }

  /**
   * Brings the running lab to `next`, as `pulumi up` does when the program's config changed: a
   * container whose settings changed is stopped and started again, one no longer declared is
   * stopped, a new one started once what it depends on is healthy, and the lake gets the
   * difference; everything else keeps running untouched.
   */
  async apply(next: LabWiring): Promise<ApplyReport> {
    const runtime = this.runtime!;
    const installs = this.installs!;
    const images = localImages(installs);
    const want = runnable(next.containers);
    // Before anything starts: the lab's connections go through the k8s stack's NetworkPolicies.
    runtime.enforce(next.policies);
    const byName = new Map(want.map((c) => [c.name, c]));
    const removed = runtime.names().filter((n) => !byName.has(n));
    const replaced = want
      .filter(
        (c) => runtime.wiringOf(c.name) && settings(runtime.wiringOf(c.name)!) !== settings(c),
      )
      .map((c) => c.name);
    const added = want.filter((c) => !runtime.wiringOf(c.name)).map((c) => c.name);
    for (const name of added) {
      if (!runtime.knows(name)) throw new Error(`${name} was not declared when the lab started`);
    }
    for (const name of runtime.stopOrder([...removed, ...replaced])) runtime.stop(name);

    const before = this.current;
    const healthyAfterS: Record<string, number> = {};
    const startPeakMiB: Record<string, number> = {};
    const ready = new Map<string, Promise<void>>();
    let adoptedBuckets: Record<string, boolean> = {};
    const startOne = (c: ContainerWiring): Promise<void> => {
      if (!ready.has(c.name)) {
        if (runtime.wiringOf(c.name)) {
          ready.set(c.name, Promise.resolve()); // kept running, as it was
          return ready.get(c.name)!;
        }
        const deps = c.after.filter((d) => byName.has(d)).map((d) => startOne(byName.get(d)!));
        if (c.needsLake) deps.push(lake());
        ready.set(
          c.name,
          Promise.all(deps).then(async () => {
            const image = images[c.image];
            if (!image) throw new Error(`no local image for ${c.image} (test/e2e/images.ts)`);
            runtime.start(c, image, this.volumesDir);
            healthyAfterS[c.name] = await runtime.waitHealthy(c.name);
            // The sampler's next round has this moment in it.
            await new Promise((r) => setTimeout(r, 600));
            startPeakMiB[c.name] = runtime.startPeakMiB(c.name) ?? NaN;
            this.startPeaksMiB[c.name] = Math.max(
              this.startPeaksMiB[c.name] ?? 0,
              startPeakMiB[c.name],
            );
            process.stderr.write(
              `e2e: ${c.name} healthy after ${healthyAfterS[c.name]}s, ` +
                `at ${startPeakMiB[c.name]} MiB at most\n`,
            );
          }),
        );
      }
      return ready.get(c.name)!;
    };
    // The lake's resources depend on MinIO alone; `pulumi up` applies them whoever else changed.
    let applied: Promise<void> | undefined;
    const lake = () =>
      (applied ??= startOne(byName.get("minio")!).then(async () => {
        adoptedBuckets = await applyLake(installs.mcBin, next.lake, before?.lake);
      }));
    await Promise.all([...want.map(startOne), lake()]);
    this.current = next;
    const notRun = Object.fromEntries(
      next.containers
        .filter((c) => c.image in NOT_RUNNABLE)
        .map((c) => [c.name, NOT_RUNNABLE[c.image]]),
    );
    return { healthyAfterS, startPeakMiB, notRun, adoptedBuckets, replaced, removed, added };
  }

  stop(): void {
    this.runtime?.down();
  }
}

function runnable(containers: ContainerWiring[]): ContainerWiring[] {
  return containers.filter((c) => !(c.image in NOT_RUNNABLE));
}

export function workDirs(root: string): { volumes: string; work: string } {
  return { volumes: path.join(root, "volumes"), work: path.join(root, "run") };
}
