import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "./types";

/**
 * Rules a `WorkloadSpec` must follow on either platform. Both platforms call
 * {@link workloadProblems} first thing in `deploy`, so a spec that breaks one fails before any of
 * its resources is registered, with a message naming the workload, the value and what is allowed.
 */
export function workloadProblems(spec: WorkloadSpec): string[] {
  const problems: string[] = [];
  const volumes = spec.volumes ?? [];
  const replicas = spec.replicas ?? 1;
  // One volume per workload, not per copy: a Docker named volume would be written by every copy at
  // once, and a Kubernetes PVC (ReadWriteOnce, one claim, not a claim template) by every replica.
  if (volumes.length > 0 && replicas > 1) {
    problems.push(
      `${spec.service}: replicas is ${replicas}, but a workload with volumes ` +
        `(${volumes.map((v) => v.name).join(", ")}) runs at most once: replicas must be 0 or 1`,
    );
  }
  // The Kubernetes pod runs as `runAs` (numeric, so runAsNonRoot can be checked against it) or, by
  // declared exception, as root; a workload with neither would get an identity nobody chose.
  if (spec.root && spec.runAs) {
    problems.push(
      `${spec.service}: root is true and runAs is ${spec.runAs.user}:${spec.runAs.group}: ` +
        `declare one of them`,
    );
  }
  if (!spec.root && !spec.runAs) {
    problems.push(
      `${spec.service}: no identity: set runAs to the image's numeric user and group, ` +
        `or root: true with the reason (the image's source) beside it`,
    );
  }
  // A writable root filesystem is a declared exception, never a default nobody chose.
  if ((spec.writablePaths === undefined) === (spec.writableRoot === undefined)) {
    problems.push(
      `${spec.service}: ` +
        (spec.writableRoot === undefined
          ? "neither writablePaths nor writableRoot: list where the image writes outside its volumes, or give the reason its root filesystem stays writable"
          : "both writablePaths and writableRoot: declare one of them"),
    );
  }
  return problems;
}

/** Throws one error on `parent` listing every problem of `spec`, or returns when it has none. */
export function checkWorkload(spec: WorkloadSpec, parent: pulumi.Resource): void {
  const problems = workloadProblems(spec);
  if (problems.length > 0) {
    throw new pulumi.ResourceError(
      `workload ${spec.service} cannot be deployed:\n  ${problems.join("\n  ")}`,
      parent,
    );
  }
}
