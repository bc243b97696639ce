/**
 * What `npm run up` checks before it changes anything: whether the Docker host can run the lab the
 * stack's config asks for, in memory, CPUs and (where it can be asked) disk for the images it does
 * not have yet (its API version against the health checks' is lab.sh's own check, which also
 * fixes it). Pure: the Docker host's answers and the lab's needs in, one line per
 * problem out, each saying what is missing and how to fix it.
 */

/** What the Docker API says of its host (`/version`, `/info`, `/images/<ref>/json`). */
export interface DockerHost {
  readonly apiVersion: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  /** Of the lab's images, those the host has already. */
  readonly images: ReadonlySet<string>;
  /**
   * Where the host keeps images and the MiB free there; absent when the API's host is not this
   * machine (a remote engine, Docker Desktop's VM), whose disk cannot be asked.
   */
  readonly disk?: { readonly dataRoot: string; readonly freeMiB: number };
}

/** What the lab, as configured, asks of its host. */
export interface LabNeeds {
  /** The sum of every container's memory limit (the stack output `memoryLimitMiB.total`). */
  readonly memoryMiB: number;
  /** Each deployed CPU limit, by its config key (`nifi.cpus`, `spark.workerCores`). */
  readonly cpus: readonly { key: string; cpus: number }[];
  /** Every image its containers run: built from this repository (the lab runtime) or pulled. */
  readonly images: readonly { ref: string; built: boolean }[];
}

/**
 * The least the lab runtime image adds to the Docker host's disk: its locked Python packages and
 * the jars it pins, 2298 MiB on 2026-12-07 (with openlineage-spark's jar) as the registry suite measures them (the files of the
 * venv scripts/python-env.sh builds from the same locks, and the jars' downloads;
 * test/registry/imageSize.test.ts fails when this is above them or a tenth below). Its base images and the pulled images come on top: their sizes
 * are known only to their registries.
 */
export const LAB_RUNTIME_LEAST_MIB = 2176;

const gib = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;

/** Every reason the host cannot run the lab as configured; empty when it can. */
export function problems(host: DockerHost, needs: LabNeeds): string[] {
  const out: string[] = [];
  if (needs.memoryMiB > host.memoryMiB) {
    out.push(
      `memory: the lab's memory limits add up to ${needs.memoryMiB} MiB (${gib(needs.memoryMiB)}), ` +
        `the Docker host has ${host.memoryMiB} MiB (${gib(host.memoryMiB)}): give Docker more memory, ` +
        `or switch services off (e.g. nifi.enabled false, kafka.enabled false, kafkaUi.enabled false, streamlit.enabled false, thriftServer.enabled false, lineage.enabled false, spark.workers 1)`,
    );
  }
  for (const { key, cpus } of needs.cpus.filter((c) => c.cpus > host.cpus)) {
    out.push(
      `CPUs: ${key} is ${cpus}, the Docker host has ${host.cpus} (Docker refuses a container whose ` +
        `limit exceeds it): set ${key} to ${host.cpus} or less, or give Docker more CPUs`,
    );
  }
  const missing = needs.images.filter((i) => !host.images.has(i.ref));
  const building = missing.some((i) => i.built);
  if (host.disk && building && host.disk.freeMiB < LAB_RUNTIME_LEAST_MIB) {
    const pulls = missing.filter((i) => !i.built).length;
    out.push(
      `disk: Docker keeps images in ${host.disk.dataRoot}, which has ${host.disk.freeMiB} MiB free; ` +
        `building the lab runtime image takes at least ${LAB_RUNTIME_LEAST_MIB} MiB (its locked Python ` +
        `packages and jars, measured), its base images${pulls ? ` and ${pulls} image${pulls === 1 ? "" : "s"} to pull` : ""} ` +
        `more: free space (docker system prune) or give Docker a larger disk`,
    );
  }
  return out;
}
