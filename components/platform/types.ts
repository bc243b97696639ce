import * as pulumi from "@pulumi/pulumi";

/**
 * The target-neutral description of a workload. A service component fills one in; the Docker or
 * Kubernetes platform realises it. Every cross-cutting rule (labels, limits, restart policy, probes,
 * loopback-only ports, security context, kept volumes) lives in the platforms, not here.
 */
export interface WorkloadSpec {
  /** Service name: container suffix on Docker, object name on Kubernetes, and the DNS name other services use. */
  readonly service: string;
  /** Pinned image reference, or an image the platform built from this repository. */
  readonly image: string | BuiltImage;
  /** Replaces the image's ENTRYPOINT (Kubernetes `command`). */
  readonly entrypoint?: string[];
  /** Replaces the image's CMD (Kubernetes `args`). */
  readonly command?: string[];
  /** Plain environment. Never put a credential here: use `secretEnv`. */
  readonly env?: Record<string, pulumi.Input<string>>;
  /** Credentials: a secret-marked env list on Docker, a Secret + `secretKeyRef` on Kubernetes. */
  readonly secretEnv?: Record<string, pulumi.Input<string>>;
  /**
   * Variables set to an address other workloads can reach this one at: the container's host name on
   * Docker (also a network alias), the pod IP on Kubernetes (a pod's host name resolves nowhere).
   * Spark drivers advertise it so executors can call back.
   */
  readonly ownAddressEnv?: string[];
  readonly ports?: PortSpec[];
  /**
   * Ports its processes open per session and that peers reach by the pod's own address, never
   * behind a Service (a Spark driver's and its executors' ports). Each must be named by a `connects`
   * or `callers` entry to be reachable on Kubernetes.
   */
  readonly sessionPorts?: readonly PortRange[];
  /**
   * Every connection it opens inside the lab, derived from the addresses it is handed (see
   * {@link peerAt}). On Kubernetes these, with `callers` and the published ports, are all the
   * NetworkPolicies let through; a peer that no workload serves is refused before anything is created.
   */
  readonly connects?: readonly Peer[];
  /**
   * Connections opened to it by workloads that are not handed its address: `service` is the caller,
   * `port` this workload's own (Spark's master and executors calling back a driver inside it).
   */
  readonly callers?: readonly Peer[];
  /** Data that must outlive the container: a named volume on Docker, a PVC on Kubernetes. */
  readonly volumes?: VolumeSpec[];
  /** Files mounted read-only into the container (config files, init scripts). */
  readonly files?: FileSpec[];
  readonly health: HealthCheckSpec;
  /** Seconds to stop cleanly before SIGKILL. @default `STOP_GRACE_SECONDS` (health.ts) */
  readonly stopGraceSeconds?: number;
  /** Memory limit in MiB; Kubernetes also requests it, so a node never overcommits the lab. */
  readonly memoryMiB: number;
  /** CPU limit in cores. @default 1 */
  readonly cpus?: number;
  /**
   * Disk it may write outside its volumes (writable layer, scratch paths, logs): Kubernetes'
   * ephemeral-storage request and limit, at least 1.25 × what the real-services suite measured.
   * @default `SCRATCH_MIB` (kubernetesManifests.ts)
   */
  readonly scratchMiB?: number;
  /** Identical copies: numbered containers on Docker, replicas on Kubernetes. @default 1 */
  readonly replicas?: number;
  /**
   * Non-root identity for Kubernetes pods (volumes get this group): the image's own user, by number,
   * so `runAsNonRoot` can be checked. Required unless `root`. Docker keeps the image's own user,
   * because named volumes there are seeded with the image directory's ownership.
   */
  readonly runAs?: { readonly user: number; readonly group: number };
  /**
   * Run as `runAs` on Docker too: for an image whose USER is not the one its volume's files belong
   * to (the lab runtime's is `spark`; JupyterHub's homes are `admin`'s). @default false
   */
  readonly runAsOnDocker?: boolean;
  /**
   * Run as root, with the capabilities root has: an exception to the restrictive Kubernetes
   * security context, named in docs/kubernetes.md's list, with the reason (from the image's source) where
   * it is set. @default false
   */
  readonly root?: boolean;
  /**
   * The only places the image writes outside its volumes, each an `emptyDir` on Kubernetes, whose
   * root filesystem is then read-only (`[]`: it writes nowhere else). The real-services suite runs
   * the service so. Docker keeps the root filesystem writable. Declare this or `writableRoot`.
   */
  readonly writablePaths?: readonly string[];
  /**
   * Why the root filesystem must stay writable on Kubernetes (what the image writes, traced to its
   * source): an exception, annotated on the workload (`dataflow-lab/writable-root`) and listed in
   * docs/kubernetes.md. Declare this or `writablePaths`.
   */
  readonly writableRoot?: string;
  /** Resources that must be ready first (other workloads' `ready`); see `ServiceArgs.startAfter`. */
  readonly startAfter?: readonly pulumi.Resource[];
}

/** An image built from a Dockerfile in this repository. */
export interface ImageBuildSpec {
  /** Image name, e.g. `lab-runtime`. */
  readonly name: string;
  /** Dockerfile path relative to the repository root (the build context). */
  readonly dockerfile: string;
  /** Files and folders the build reads; their content hash is the image tag. */
  readonly inputs: readonly string[];
  /** A pushed image to use instead of building. */
  readonly prebuilt?: string;
}

/** What `Platform.image` hands back. */
export interface BuiltImage {
  readonly ref: pulumi.Output<string>;
  /** Built into the Docker host's image store (nothing to pull). */
  readonly local: boolean;
}

/** What a workload declares about its connections (see {@link WorkloadSpec.connects}). */
export interface WorkloadNetwork {
  readonly connects: readonly Peer[];
  readonly callers: readonly Peer[];
  readonly sessionPorts: readonly PortRange[];
}

/** The parts' connections together. */
export function joinNetwork(...parts: Partial<WorkloadNetwork>[]): WorkloadNetwork {
  return {
    connects: parts.flatMap((p) => p.connects ?? []),
    callers: parts.flatMap((p) => p.callers ?? []),
    sessionPorts: parts.flatMap((p) => p.sessionPorts ?? []),
  };
}

/** A TCP port, or the range `port`–`endPort`. */
export interface PortRange {
  readonly port: number;
  /** Last port of a range (inclusive). */
  readonly endPort?: number;
}

/** The other end of a connection inside the lab: a service and the port(s) the connection uses. */
export interface Peer extends PortRange {
  readonly service: string;
}

/**
 * The peer behind an address the lab hands a client: `http://minio:9000/…`, `spark://spark-master:7077`,
 * `kafka:9092`, `postgres:5432`, `jdbc:hive2://spark-thrift:10000/default`. The host is a service
 * name (on both platforms); the port is explicit.
 */
export function peerAt(address: string): Peer {
  const m =
    /^(?:jdbc:)?(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([a-z0-9-]+):(\d+)(?:[/?;].*)?$/.exec(
      address,
    );
  if (!m) throw new Error(`no service:port in the address ${JSON.stringify(address)}`);
  return { service: m[1], port: Number(m[2]) };
}

export interface PortSpec {
  /** Port name (a DNS-1123 label, at most 15 characters): Service port name and URL key suffix. */
  readonly name: string;
  /** Port the process listens on inside the container. */
  readonly port: number;
  /** Make the port reachable from outside: a loopback host port on Docker, a NodePort on Kubernetes. */
  readonly publish?: PublishSpec;
}

export interface PublishSpec {
  /** Host port on Docker (the seed's port, e.g. 9001 for MinIO's console). */
  readonly hostPort: number;
  /** NodePort on Kubernetes (30000–32767). */
  readonly nodePort: number;
  /** URL scheme people use; `undefined` for plain TCP (e.g. Kafka), which gets no Ingress. */
  readonly scheme?: "http" | "https";
  /** Key in the stack's `urls` output. */
  readonly urlKey: string;
  /** Path appended to the URL people open, e.g. `/nifi`. @default "" */
  readonly path?: string;
  /**
   * It asks who you are (a login, basic auth, S3 signatures). What does not is exposed outside
   * Kubernetes only with `kubernetes.exposeWithoutLogin`.
   */
  readonly login: boolean;
  /** MinIO's: takes the lake's root login; exposed only with `kubernetes.exposeMinio`. @default false */
  readonly minio?: boolean;
  /** `pulumi up` itself reaches it from outside (MinIO's S3 API): a NodePort in every mode. @default false */
  readonly deployer?: boolean;
}

export interface VolumeSpec {
  /** Volume name, unique within the workload. */
  readonly name: string;
  readonly mountPath: string;
  /** PVC size on Kubernetes, e.g. "20Gi". */
  readonly size: string;
  /**
   * Start an empty volume with the image's content at `mountPath` (NiFi's conf). Docker does this
   * for named volumes; Kubernetes gets an init container that copies it. @default false
   */
  readonly seedFromImage?: boolean;
}

export interface FileSpec {
  /** Absolute path inside the container. */
  readonly path: string;
  readonly content: pulumi.Input<string>;
  /** Executable bit (scripts). @default false */
  readonly executable?: boolean;
  /** Holds a credential: a Kubernetes Secret instead of a ConfigMap. @default false */
  readonly secret?: boolean;
}

/** How the platform knows the workload is healthy; nothing depending on it starts before that. */
export interface HealthCheckSpec {
  /** Command run in the container: Docker's healthcheck, and the Kubernetes probe when no `http`. */
  readonly command: string[];
  /** HTTP endpoint for Kubernetes readiness (no process fork per probe). */
  readonly http?: HttpProbe;
  /** TCP port for Kubernetes readiness, where the command would need the Service to be ready. */
  readonly tcpPort?: number;
  /** What proves the process is alive, when that differs from ready (Kubernetes liveness). */
  readonly liveness?: { readonly command?: string[]; readonly http?: HttpProbe };
  /** Seconds between checks. @default `HEALTH_DEFAULTS.intervalSeconds` (health.ts) */
  readonly intervalSeconds?: number;
  /**
   * Seconds between checks while starting. @default `HEALTH_DEFAULTS.startIntervalSeconds` (health.ts)
   */
  readonly startIntervalSeconds?: number;
  /** Seconds one check may take. @default `HEALTH_DEFAULTS.timeoutSeconds` (health.ts) */
  readonly timeoutSeconds?: number;
  /**
   * Time the service may take to start before failed checks count.
   * @default `HEALTH_DEFAULTS.startPeriodSeconds` (health.ts)
   */
  readonly startPeriodSeconds?: number;
}

export interface HttpProbe {
  readonly path: string;
  readonly port: number;
  readonly scheme?: "HTTP" | "HTTPS";
}

/** Where a published port can be reached from outside the platform. */
export interface ExternalEndpoint {
  readonly host: string;
  readonly port: number;
  /** What a person opens: `http://localhost:9001`, or `localhost:29092` for plain TCP. */
  readonly url: string;
}

/** What a platform hands back for a deployed workload. */
export interface Workload {
  /** DNS name other workloads use (identical on both platforms: the service name). */
  readonly host: string;
  /** Resources that finish only once the workload is healthy; depend on these for readiness. */
  readonly ready: pulumi.Resource[];
  /**
   * `ready` plus what carries the published ports (a NodePort Service, Ingresses): depend on these
   * to reach the workload from outside the platform, as `pulumi up` reaches MinIO's API.
   */
  readonly publishedReady: pulumi.Resource[];
  /** Published ports by port name. */
  readonly external: Record<string, ExternalEndpoint>;
  /** What a person opens, by `urlKey`. */
  readonly urls: Record<string, string>;
  /**
   * The readiness endpoint other workloads can poll, when the health check has one and the workload
   * runs once: a numbered copy answers for itself alone, never for the others.
   */
  readonly healthUrl?: string;
  /** Memory limit (MiB) the platform allotted: all copies together. */
  readonly memoryMiB: number;
}

/** A place workloads run: the Docker host or a Kubernetes namespace. */
export interface Platform {
  readonly target: "docker" | "kubernetes";
  /** Creates the workload's resources as children of `parent`, through the platform's provider. */
  deploy(spec: WorkloadSpec, parent: pulumi.Resource): Workload;
  /** Builds (or takes prebuilt) one of the lab's own images. */
  image(spec: ImageBuildSpec, parent: pulumi.Resource): BuiltImage;
  /** Where a published port will be reachable, known before anything is deployed. */
  endpoint(publish: PublishSpec): ExternalEndpoint;
  /**
   * Called once, after every workload is deployed: checks that each declared connection reaches a
   * workload that serves it and, on Kubernetes, lets only those through (NetworkPolicies).
   */
  isolate(parent: pulumi.Resource): void;
}

/** The endpoint of a published port at `host:port`, with the URL a person opens. */
export function endpointAt(host: string, port: number, publish: PublishSpec): ExternalEndpoint {
  return {
    host,
    port,
    url: publish.scheme
      ? `${publish.scheme}://${host}:${port}${publish.path ?? ""}`
      : `${host}:${port}`,
  };
}

/**
 * Health command for images with Python but neither curl nor wget (MLflow, Prefect, Streamlit, the
 * lab runtime): succeeds when `url` answers below 400 within 4 seconds.
 */
export function pythonHttpCheck(url: string): string[] {
  return ["python3", "-c", `import urllib.request; urllib.request.urlopen('${url}', timeout=4)`];
}

/**
 * The `Workload` addresses derived from the spec: its published ports (through the platform's
 * `endpoint`) and its health endpoint inside the lab (the service name is its host on both platforms).
 */
export function workloadAddresses(
  spec: WorkloadSpec,
  endpoint: (p: PublishSpec) => ExternalEndpoint,
): Pick<Workload, "external" | "urls" | "healthUrl"> {
  const ports = (spec.ports ?? []).filter((p) => p.publish);
  const http = spec.health.http;
  return {
    external: Object.fromEntries(ports.map((p) => [p.name, endpoint(p.publish!)])),
    urls: Object.fromEntries(ports.map((p) => [p.publish!.urlKey, endpoint(p.publish!).url])),
    ...(http && spec.replicas === undefined
      ? {
          healthUrl: `${(http.scheme ?? "HTTP").toLowerCase()}://${spec.service}:${http.port}${http.path}`,
        }
      : {}),
  };
}
