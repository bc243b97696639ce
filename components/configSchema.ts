/**
 * The typed stack config and its defaults. `Pulumi.yaml` declares the same defaults for the CLI and
 * the README's config table documents each key; `test/config.test.ts` keeps the three in step.
 */

/** Where the lab runs. */
export type Target = "docker" | "kubernetes";

export interface LabConfig {
  /** Pulumi stack name; part of every Docker object name. */
  readonly stack: string;
  /** `target`: `docker` (dev stack) or `kubernetes` (k8s stack). @default "docker" */
  readonly target: Target;
  /**
   * `retainDataOnDestroy`: keep Docker volumes, PVCs, the namespace and the buckets when the stack is
   * destroyed, so `pulumi destroy` never deletes data by accident. @default true
   */
  readonly retainDataOnDestroy: boolean;
  readonly docker: {
    /**
     * `docker.host`: the Docker endpoint (`unix://`, `tcp://`, `ssh://`, `npipe://`).
     * @default unset: `$DOCKER_HOST`, else the local socket
     */
    readonly host?: string;
    /** `docker.bindAddress`: host address every published port binds to. @default "127.0.0.1" */
    readonly bindAddress: string;
    /**
     * `docker.publishedHost`: the name people (and `pulumi up`, for MinIO's API) use to reach the
     * published ports; change it for a remote Docker host. @default "localhost"
     */
    readonly publishedHost: string;
  };
  readonly kubernetes: {
    /** `kubernetes.namespace`: namespace for every object (a DNS-1123 label). @default "dataflow-lab" */
    readonly namespace: string;
    /** `kubernetes.context`: kubeconfig context. @default the current context */
    readonly context?: string;
    /** `kubernetes.kubeconfig`: kubeconfig path or contents. @default `$KUBECONFIG` or ~/.kube/config */
    readonly kubeconfig?: string;
    /** `kubernetes.storageClass`: StorageClass of every PVC. @default the cluster's default class */
    readonly storageClass?: string;
    /**
     * `kubernetes.nodeAddress`: address of a node as seen from the machine running Pulumi; NodePort
     * URLs (and the MinIO API that `pulumi up` talks to) use it. @default "127.0.0.1"
     * @see https://kind.sigs.k8s.io/docs/user/configuration/#extra-port-mappings
     */
    readonly nodeAddress: string;
    /**
     * `kubernetes.ingressDomain`: when set, every web UI and the MinIO API also get an Ingress at
     * `<name>.<domain>`, and `pulumi up` reaches MinIO there instead of through its NodePort.
     */
    readonly ingressDomain?: string;
    /** `kubernetes.ingressClassName`: IngressClass for those Ingresses. @default the cluster default */
    readonly ingressClassName?: string;
  };
  readonly postgres: {
    /** `postgres.image`: PostgreSQL 16 or 17 (18 moved PGDATA). */
    readonly image: string;
    /** `postgres.storageSize`: PVC size on Kubernetes. @default "5Gi" */
    readonly storageSize: string;
    /** `postgres.memoryMiB`: memory limit. @default 512 */
    readonly memoryMiB: number;
  };
  readonly minio: {
    /** `minio.image`: an S3 server that speaks MinIO's admin API. */
    readonly image: string;
    /** `minio.buckets`: extra buckets on top of bronze/silver/gold. @default [] */
    readonly buckets: readonly string[];
    /** `minio.storageSize`: PVC size on Kubernetes. @default "20Gi" */
    readonly storageSize: string;
    /** `minio.memoryMiB`: memory limit. @default 1024 */
    readonly memoryMiB: number;
  };
  readonly spark: {
    /** `spark.workers`: number of Spark workers, 0–64. @default 2 */
    readonly workers: number;
  };
}

/** Defaults for every key that has one; mirrored in `Pulumi.yaml`. */
export const defaults = {
  retainDataOnDestroy: true,
  docker: { bindAddress: "127.0.0.1", publishedHost: "localhost" },
  kubernetes: { namespace: "dataflow-lab", nodeAddress: "127.0.0.1" },
  postgres: { image: "postgres:16.9-bookworm", storageSize: "5Gi", memoryMiB: 512 },
  minio: {
    image: "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
    buckets: [] as string[],
    storageSize: "20Gi",
    memoryMiB: 1024,
  },
  spark: { workers: 2 },
} as const;

/** Top-level keys of the `dataflow-lab:` namespace. */
export const TOP_LEVEL_KEYS: readonly string[] = [
  "target",
  "retainDataOnDestroy",
  "docker",
  "kubernetes",
  "postgres",
  "minio",
  "spark",
];
