/**
 * What `npm run up` checks before it changes anything: whether the Docker host can run the lab the
 * stack's config asks for (its API version against the health checks' is lab.sh's own check, which
 * also fixes it). Pure: the Docker host's answers and the lab's needs in, one line per
 * problem out, each saying what is missing and how to fix it.
 */

/** What the Docker API says of its host (`/version`, `/info`). */
export interface DockerHost {
  readonly apiVersion: string;
  readonly cpus: number;
  readonly memoryMiB: number;
}

/** What the lab, as configured, asks of its host. */
export interface LabNeeds {
  /** The sum of every container's memory limit (the stack output `memoryLimitMiB.total`). */
  readonly memoryMiB: number;
  /** Each deployed CPU limit, by its config key (`nifi.cpus`, `spark.workerCores`). */
  readonly cpus: readonly { key: string; cpus: number }[];
}

const gib = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;

/** Every reason the host cannot run the lab as configured; empty when it can. */
export function problems(host: DockerHost, needs: LabNeeds): string[] {
  const out: string[] = [];
  if (needs.memoryMiB > host.memoryMiB) {
    out.push(
      `memory: the lab's memory limits add up to ${needs.memoryMiB} MiB (${gib(needs.memoryMiB)}), ` +
        `the Docker host has ${host.memoryMiB} MiB (${gib(host.memoryMiB)}): give Docker more memory, ` +
        `or switch services off (e.g. nifi.enabled false, kafkaUi.enabled false, streamlit.enabled false, spark.workers 1)`,
    );
  }
  for (const { key, cpus } of needs.cpus.filter((c) => c.cpus > host.cpus)) {
    out.push(
      `CPUs: ${key} is ${cpus}, the Docker host has ${host.cpus} (Docker refuses a container whose ` +
        `limit exceeds it): set ${key} to ${host.cpus} or less, or give Docker more CPUs`,
    );
  }
  return out;
}
