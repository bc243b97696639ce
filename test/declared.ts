/**
 * What the lab declares, for rules the stack tests derive instead of keeping the lab's services by
 * hand: the stack's config, what labAccess gives the services that are on, and every workload spec
 * the services hand the platform. A rule over these holds for any service added.
 */
import { parseConfig, type LabConfig } from "../components/config";
import { DataFlowLab } from "../components/lab";
import { labAccess, type LabAccess } from "../components/labAccess";
import { createPlatform } from "../components/platform";
import type { WorkloadSpec } from "../components/platform/types";
import { rawStackConfig } from "../scripts/evaluate";
import { construct } from "./componentHarness";

/** The lab as stacks/index.ts builds it (the one place to follow an API change), each spec seen. */
export function lab(config: LabConfig, onDeploy?: (spec: WorkloadSpec) => void): DataFlowLab {
  const platform = createPlatform("platform", config);
  if (onDeploy) {
    const deploy = platform.deploy.bind(platform);
    platform.deploy = (spec, parent) => {
      onDeploy(spec);
      return deploy(spec, parent);
    };
  }
  return new DataFlowLab("lab", { config, platform });
}

/** The stack's config as the program parses it, and what labAccess derives from it. */
export function stackAccess(
  stack: string,
  overrides: Record<string, unknown> = {},
): { config: LabConfig; access: LabAccess } {
  const config = parseConfig(rawStackConfig(stack, overrides), stack);
  return { config, access: labAccess(config) };
}

/** The stack's config and access, and each workload spec, in deploy order. */
export interface Declared {
  readonly config: LabConfig;
  readonly access: LabAccess;
  readonly workloads: readonly WorkloadSpec[];
}

/**
 * Builds the lab on the stack's real platform (components/lab.test.ts proves that registers
 * exactly what the program does) and records what each service declared.
 */
export async function declared(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<Declared> {
  const workloads: WorkloadSpec[] = [];
  const { config } = await construct(stack, overrides, (c) => lab(c, (s) => workloads.push(s)));
  return { config, access: labAccess(config), workloads };
}

/** The names a workload's copies run under: its service, or numbered copies. */
export function copies(spec: WorkloadSpec): string[] {
  return spec.replicas === undefined
    ? [spec.service]
    : Array.from({ length: spec.replicas }, (_, i) => `${spec.service}-${i + 1}`);
}

/** Its data volumes' resource names (a Docker volume, a PVC): `<service>-<volume>`. */
export function volumesOf(spec: WorkloadSpec): string[] {
  return (spec.volumes ?? []).map((v) => `${spec.service}-${v.name}`);
}

/** The ports it publishes, each with its `publish`. */
export function publishedPorts(spec: WorkloadSpec) {
  return (spec.ports ?? []).flatMap((p) => (p.publish ? [{ ...p, publish: p.publish }] : []));
}
