/**
 * DataFlow Lab: `pulumi up -s dev` (Docker) or `pulumi up -s k8s` (Kubernetes). The config is
 * validated before any resource is registered, so a typo never half-deploys the lab.
 */
import { loadConfig } from "../components/config";
import { DataFlowLab } from "../components/lab";
import { createPlatform } from "../components/platform";

const config = loadConfig();
const platform = createPlatform("platform", config);
const lab = new DataFlowLab("lab", { config, platform });

/** Where the lab runs. */
export const target = config.target;
/** Service → URL a person opens. */
export const urls = lab.urls;
/** Service → address inside the lab's network. */
export const endpoints = lab.endpoints;
/** Every login (secret: `pulumi stack output credentials --show-secrets`). */
export const credentials = lab.credentials;
/** Memory limits of all containers (MiB), as the platform allotted them: per service (all its copies) and in total. */
export const memoryLimitMiB = lab.memoryLimitMiB;
