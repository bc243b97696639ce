import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { DockerPlatform } from "./docker";
import { KubernetesPlatform } from "./kubernetes";
import type { Platform } from "./types";

export type { Platform, Workload, WorkloadSpec } from "./types";
export { DockerPlatform } from "./docker";
export { KubernetesPlatform } from "./kubernetes";

/** The one place that branches on `target`. */
export function createPlatform(
  name: string,
  config: PlatformConfig,
  opts?: pulumi.ComponentResourceOptions,
): Platform & pulumi.ComponentResource {
  return config.target === "docker"
    ? new DockerPlatform(name, { config }, opts)
    : new KubernetesPlatform(name, { config }, opts);
}
