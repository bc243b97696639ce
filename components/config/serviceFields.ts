import type { z } from "zod";
import { about, cpus, flag, section, whole, type Format } from "./fields";
import * as is from "./formats";
import * as lab from "./services";

/**
 * What the services' config sections share (each section is declared beside its component, e.g.
 * components/ml/mlflowConfig.ts): a memory limit bounded by what the service was measured to start
 * in, the three keys of a service that can be switched off, and the size of a volume.
 */

/**
 * A memory limit in MiB: at least what the service was measured to start in (services.ts), said in
 * the message where that is what bounds it.
 */
export const memory = (fallback: number, service?: Parameters<typeof lab.leastMemoryMiB>[0]) => {
  const least = service ? lab.leastMemoryMiB(service) : lab.GENERAL_LEAST_MEMORY_MIB;
  const why =
    service && least > lab.GENERAL_LEAST_MEMORY_MIB
      ? `1.25 × the ${lab.STARTED_WITH_MIB[service]} MiB ${service} was measured to start with`
      : undefined;
  return whole(least, 65536, fallback, why);
};

/** What a switchable service's three common keys say, where it says more than "Deploy it". */
export interface ServiceDocs {
  /** The section's line in Pulumi.yaml. */
  readonly note: string;
  /** What `enabled` deploys (and takes away). */
  readonly enabled: string;
  readonly memoryMiB?: string;
  readonly cpus?: string;
}

/** A service that can be switched off; switching it off leaves no resource of it behind. */
export const service = <S extends z.ZodRawShape>(
  mib: number,
  cores: number,
  docs: ServiceDocs,
  more: S,
  measured?: Parameters<typeof lab.leastMemoryMiB>[0],
) =>
  about(
    section({
      enabled: about(flag().default(true), docs.enabled),
      memoryMiB: about(memory(mib, measured), docs.memoryMiB ?? "Memory limit."),
      // The defaults stay at most 2, the smallest host the lab supports.
      cpus: about(cpus(cores), docs.cpus ?? "CPU limit."),
      ...more,
    }),
    docs.note,
    { note: docs.note },
  );

/** A volume's size (Kubernetes' quantity), e.g. "10Gi". */
export const SIZE: Format = [
  'a size such as "512Mi", "20Gi" or "1Ti"',
  is.isSize,
  "size (`Mi`/`Gi`/`Ti`)",
];
/** What a PVC size key does. */
export const STORAGE = "PVC size (Kubernetes).";
