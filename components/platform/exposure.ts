import type { LabConfig } from "../config";
import type { PublishSpec } from "./types";

/** Which way out of the cluster a published port takes, from `kubernetes.expose` and its switches. */
export interface Exposure {
  readonly nodePort: (p: PublishSpec) => boolean;
  readonly ingress: (p: PublishSpec) => boolean;
}

/**
 * What `kubernetes.expose` puts outside the cluster: only what asks for a login, unless
 * `exposeWithoutLogin`; MinIO's ports only with `exposeMinio`. MinIO's S3 API, which `pulumi up`
 * itself calls, has a NodePort in every mode.
 */
export function exposure(kc: LabConfig["kubernetes"]): Exposure {
  const allowed = (p: PublishSpec) =>
    (p.login || kc.exposeWithoutLogin) && (!p.minio || kc.exposeMinio);
  // An HTTPS backend (NiFi) needs controller-specific annotations, and plain TCP (Kafka) no
  // Ingress can carry: both stay on NodePorts when the rest is on Ingresses.
  const ingress = (p: PublishSpec) => kc.expose === "ingress" && p.scheme === "http" && allowed(p);
  return {
    ingress,
    nodePort: (p) =>
      !!p.deployer ||
      (kc.expose === "nodePort" && allowed(p)) ||
      (kc.expose === "ingress" && allowed(p) && !ingress(p)),
  };
}
