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
     * URLs (and the MinIO API that `pulumi up` talks to) use it; a name, not an IP, since NiFi
     * accepts only host names in its certificate. @default "localhost"
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
    /** `postgres.memoryMiB`: memory limit. @default 320 */
    readonly memoryMiB: number;
    /** `postgres.cpus`: CPU limit in cores. @default 1 */
    readonly cpus: number;
  };
  readonly minio: {
    /** `minio.image`: an S3 server that speaks MinIO's admin API. */
    readonly image: string;
    /** `minio.buckets`: extra buckets on top of bronze/silver/gold. @default [] */
    readonly buckets: readonly string[];
    /** `minio.storageSize`: PVC size on Kubernetes. @default "20Gi" */
    readonly storageSize: string;
    /** `minio.memoryMiB`: memory limit. @default 576 */
    readonly memoryMiB: number;
    /** `minio.cpus`: CPU limit in cores. @default 1 */
    readonly cpus: number;
  };
  readonly spark: {
    /** `spark.workers`: Spark workers: numbered containers on Docker, replicas on Kubernetes (0–64). @default 2 */
    readonly workers: number;
    /** `spark.workerCores`: cores each worker offers (SPARK_WORKER_CORES). @default 1 */
    readonly workerCores: number;
    /**
     * `spark.workerMemory`: memory each worker offers to executors (SPARK_WORKER_MEMORY, Spark
     * syntax such as "512m" or "2g"; executors need at least 512m). @default "512m"
     * @see https://spark.apache.org/docs/3.5.8/spark-standalone.html#cluster-launch-scripts
     */
    readonly workerMemory: string;
    /** `spark.workerMemoryMiB`: container limit of each worker; must exceed workerMemory by 896 MiB. @default 1408 */
    readonly workerMemoryMiB: number;
    /** `spark.masterMemoryMiB`: container limit of the master. @default 320 */
    readonly masterMemoryMiB: number;
    /** `spark.masterCpus`: CPU limit of the master (a worker's is `workerCores`). @default 1 */
    readonly masterCpus: number;
  };
  readonly mlflow: ServiceToggle;
  readonly prefect: ServiceToggle & {
    /** `prefect.workerMemoryMiB`: container limit of the process worker (flows run inside it, each a Spark driver). @default 1536 */
    readonly workerMemoryMiB: number;
    /** `prefect.workerCpus`: CPU limit of the process worker. @default 1 */
    readonly workerCpus: number;
  };
  readonly kafka: ServiceToggle &
    StorageSize & {
      /** `kafka.topics`: topics created once the broker is up. @default ["lab-events"] */
      readonly topics: readonly string[];
    };
  /** `kafkaUi.*`: the Kafka UI; needs Kafka, and is off whenever Kafka is unless set explicitly. */
  readonly kafkaUi: ServiceToggle;
  readonly nifi: ServiceToggle & StorageSize;
  /** `jupyterhub.storageSize`: the users' home directories (notebooks). */
  readonly jupyterhub: ServiceToggle & StorageSize;
  readonly streamlit: ServiceToggle;
  readonly images: {
    /**
     * `images.registry`: registry the lab's own image (the lab runtime) is pushed to for
     * Kubernetes, e.g. "localhost:5001" or "ghcr.io/you". The Docker target builds locally.
     */
    readonly registry?: string;
    /** `images.lab`: a prebuilt lab runtime image to use instead of building images/lab-runtime. */
    readonly lab?: string;
  };
}

/** `<service>.enabled` and `<service>.memoryMiB`. */
export interface ServiceToggle {
  /** Deploy the service; switching it off leaves no resource of it behind. @default true */
  readonly enabled: boolean;
  /** Container memory limit in MiB. */
  readonly memoryMiB: number;
  /**
   * CPU limit in cores (0.1–64). Docker refuses a limit above the host's CPU count, so the defaults
   * stay at most 2, the smallest host the lab supports. @default 1 (NiFi and JupyterHub: 2)
   */
  readonly cpus: number;
}

/** `<service>.storageSize`: PVC size on Kubernetes. @default "10Gi" */
export interface StorageSize {
  readonly storageSize: string;
}

/** Services that can be switched off, and what each needs. */
export const TOGGLES = [
  "mlflow",
  "prefect",
  "kafka",
  "kafkaUi",
  "nifi",
  "jupyterhub",
  "streamlit",
] as const;
export type Toggle = (typeof TOGGLES)[number];
export const REQUIRES: Readonly<Partial<Record<Toggle, Toggle>>> = { kafkaUi: "kafka" };

/** Defaults for every key that has one; mirrored in `Pulumi.yaml`. */
export const defaults = {
  retainDataOnDestroy: true,
  docker: { bindAddress: "127.0.0.1", publishedHost: "localhost" },
  kubernetes: { namespace: "dataflow-lab", nodeAddress: "localhost" },
  postgres: { image: "postgres:16.9-bookworm", storageSize: "5Gi", memoryMiB: 320, cpus: 1 },
  minio: {
    image: "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
    buckets: [] as string[],
    storageSize: "20Gi",
    memoryMiB: 576,
    cpus: 1,
  },
  spark: {
    workers: 2,
    workerCores: 1,
    workerMemory: "512m",
    workerMemoryMiB: 1408,
    masterMemoryMiB: 320,
    masterCpus: 1,
  },
  mlflow: { enabled: true, memoryMiB: 576, cpus: 1 },
  prefect: { enabled: true, memoryMiB: 384, cpus: 1, workerMemoryMiB: 1536, workerCpus: 1 },
  kafka: {
    enabled: true,
    memoryMiB: 640,
    cpus: 1,
    storageSize: "10Gi",
    topics: ["lab-events"] as string[],
  },
  kafkaUi: { enabled: true, memoryMiB: 256, cpus: 1 },
  // NiFi's start-up (NAR unpacking, flow load) is CPU-bound; the hub shares its container with
  // JupyterLab and every notebook's Spark driver.
  nifi: { enabled: true, memoryMiB: 768, cpus: 2, storageSize: "10Gi" },
  jupyterhub: { enabled: true, memoryMiB: 1792, cpus: 2, storageSize: "10Gi" },
  streamlit: { enabled: true, memoryMiB: 256, cpus: 1 },
  images: {},
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
  ...TOGGLES,
  "images",
];
