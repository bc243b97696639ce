import type { Workload } from "./platform/types";
import type { ServiceModule } from "./serviceModule";

/**
 * The lab's outputs, derived from one list: the workloads the platform deployed, in the order the
 * lab deployed them. Nothing here keeps its own list of services, so a new service shows up in the
 * URLs, the dashboard's health checks and the memory budget by being deployed.
 */

/** Sorts an object's keys, so outputs and env values read the same whatever the deploy order. */
function sortedEntries<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** What a person opens, by URL key (`minio-console`, `spark-ui`, …). */
export function urlsOf(workloads: readonly Workload[]): Record<string, string> {
  return sortedEntries(workloads.flatMap((w) => Object.entries(w.urls)));
}

/** Service → health URL inside the lab, for every workload whose health check has one. */
export function healthUrlsOf(workloads: readonly Workload[]): Record<string, string> {
  return sortedEntries(
    workloads.flatMap((w) => (w.healthUrl === undefined ? [] : [[w.host, w.healthUrl]])),
  );
}

/** The `memoryLimitMiB` output: what the platform allotted per service (all copies), and the sum. */
export interface MemoryBudget {
  /** Service → MiB, all its copies together. */
  readonly services: Record<string, number>;
  /** Sum over the services. */
  readonly total: number;
}

/** The memory budget of the deployed workloads, from what the platform allotted to each. */
export function memoryBudget(workloads: readonly Workload[]): MemoryBudget {
  const services = sortedEntries(workloads.map((w) => [w.host, w.memoryMiB]));
  return { services, total: Object.values(services).reduce((a, b) => a + b, 0) };
}

/**
 * The `endpoints` output: each address inside the lab's network, the core's (the lake, the Spark
 * master, PostgreSQL when deployed) and those the modules on declare, by service name.
 */
export function endpointsOf(
  core: { s3: string; "spark-master": string; postgres?: string },
  modules: readonly ServiceModule[],
): Record<string, string> {
  return Object.fromEntries([
    ...Object.entries(core).filter((e): e is [string, string] => e[1] !== undefined),
    ...modules.flatMap((m) => (m.endpoint ? [[m.access.name, m.endpoint]] : [])),
  ]);
}
