import * as net from "net";
import { z } from "zod";
import { cpus, flag, list, optionalText, section, text, whole, type Format } from "./fields";
import * as is from "./formats";
import * as lab from "./services";

/**
 * The stack config, declared once: every key of the `dataflow-lab:` namespace with its type, what is
 * allowed, its default and (in TSDoc) its meaning; `LabConfig` is inferred from it. Each check's
 * message says what is allowed; the loader (index.ts) puts the key before it and the value after.
 *
 * Defaults live here and in `Pulumi.yaml`. The program needs them (a preview, the mock runtime, and a
 * stack that sets one field of an object, which replaces the whole object); `Pulumi.yaml` gives them
 * to the CLI, so `pulumi config` shows them with their descriptions. test/config.test.ts fails when
 * the two disagree, and checks that docs/configuration.md's table lists exactly these keys.
 */

/**
 * A memory limit in MiB: at least what the service was measured to start in (services.ts), said in
 * the message where that is what bounds it.
 */
const memory = (fallback: number, service?: Parameters<typeof lab.leastMemoryMiB>[0]) => {
  const least = service ? lab.leastMemoryMiB(service) : lab.GENERAL_LEAST_MEMORY_MIB;
  const why =
    service && least > lab.GENERAL_LEAST_MEMORY_MIB
      ? `1.25 × the ${lab.STARTED_WITH_MIB[service]} MiB ${service} was measured to start with`
      : undefined;
  return whole(least, 65536, fallback, why);
};

/** A service that can be switched off; switching it off leaves no resource of it behind. */
const service = <S extends z.ZodRawShape>(
  mib: number,
  cores: number,
  more: S,
  measured?: Parameters<typeof lab.leastMemoryMiB>[0],
) =>
  section({
    /** Deploy the service. */ enabled: flag().default(true),
    /** Container memory limit. */ memoryMiB: memory(mib, measured),
    /** CPU limit in cores; the defaults stay at most 2, the smallest host the lab supports. */
    cpus: cpus(cores),
    ...more,
  });

const PINNED: Format = [
  'an image pinned to a version tag or digest (e.g. "postgres:17.11-bookworm"), never "latest"',
  is.isPinnedImage,
];
const SIZE: Format = ['a size such as "512Mi", "20Gi" or "1Ti"', is.isSize];
const HOST: Format = ["a lower-case host name (RFC 1123) or an IPv4 address", is.isHostName];
const SUBDOMAIN: Format = [
  "a lower-case DNS-1123 subdomain: letters, digits, '-' and '.', at most 253",
  is.isDns1123Subdomain,
];
const LAB_BUCKETS: readonly string[] = [...lab.MEDALLION_BUCKETS, ...lab.INTERNAL_BUCKETS];
const bucketProblem = (bucket: string, i: number, all: string[]) =>
  !is.isBucketName(bucket)
    ? "an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-', not an IP address, without S3's reserved prefixes (xn--, sthree-) and suffixes (-s3alias, --ol-s3)"
    : LAB_BUCKETS.includes(bucket)
      ? `a bucket other than ${LAB_BUCKETS.join(", ")}, which the lab always creates`
      : all.indexOf(bucket) !== i
        ? "each bucket once"
        : "";
const topicProblem = (t: string, i: number, all: string[]) =>
  !is.isTopicName(t)
    ? "a Kafka topic name: letters, digits, '.', '_' or '-'"
    : all.findIndex((o) => is.topicCollisionKey(o) === is.topicCollisionKey(t)) !== i
      ? "a topic that differs from the others in more than '.' versus '_' (Kafka refuses topics that collide)"
      : "";

/** The keys of the `dataflow-lab:` namespace, in the order the loader lists them. */
export const shape = {
  /** Where the lab runs: `docker` (dev stack) or `kubernetes` (k8s stack). */
  target: z.enum(["docker", "kubernetes"], 'one of "docker", "kubernetes"').default("docker"),
  /**
   * Keep volumes, PVCs and the buckets on destroy: it never deletes data by accident. The namespace
   * is kept either way (it may hold what is not the lab's).
   */
  retainDataOnDestroy: flag().default(true),
  docker: section({
    /** The Docker endpoint; unset: `$DOCKER_HOST`, else the local socket. */
    host: optionalText([
      "a Docker endpoint: unix://, tcp://, ssh:// or npipe://",
      (s) => /^(unix|tcp|ssh|npipe):\/\/.+$/.test(s),
    ]),
    /** Host address every published port binds to. */
    bindAddress: text("127.0.0.1", ["an IPv4 or IPv6 address such as 127.0.0.1", net.isIP]),
    /** The name people (and `pulumi up`, for MinIO's API) use to reach the published ports. */
    publishedHost: text("localhost", HOST),
    /**
     * Check a starting service's health every 2 s (`start_interval`) rather than at its steady
     * interval. Needs Docker API 1.44 (Engine 25+): set false on podman (its Docker API is 1.41)
     * or an older engine, which refuse the container otherwise. `npm run up` sets it for you.
     * @see https://docs.docker.com/reference/dockerfile/#healthcheck
     */
    healthStartInterval: flag().default(true),
  }),
  kubernetes: section({
    /** Namespace of every object. */
    namespace: text("dataflow-lab", [
      "a DNS-1123 label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit, other than default and kube-* (Kubernetes' own)",
      (s) => is.isDns1123Label(s) && !is.isReservedNamespace(s),
    ]),
    /** kubeconfig context; unset: the current context. */ context: optionalText(),
    /** kubeconfig path or contents; unset: `$KUBECONFIG`, else ~/.kube/config. */
    kubeconfig: optionalText(),
    /** StorageClass of every PVC; unset: the cluster's default. */
    storageClass: optionalText(SUBDOMAIN),
    /**
     * A node's address as seen from the machine running Pulumi, for NodePort URLs and the MinIO API.
     * @see https://kind.sigs.k8s.io/docs/user/configuration/#extra-port-mappings
     */
    nodeAddress: text("localhost", HOST),
    /**
     * How people reach the lab's UIs from outside the cluster: `none` (`kubectl port-forward`; the
     * `urls` output names the local ports), `nodePort` (each UI on every node's address) or
     * `ingress` (an Ingress per UI at `<name>.<ingressDomain>`, with TLS). Only what asks for a
     * login is exposed, unless `exposeWithoutLogin`; MinIO only with `exposeMinio`. MinIO's S3 API
     * keeps a NodePort in every mode: `pulumi up` manages the buckets and users through it.
     */
    expose: z
      .enum(["none", "nodePort", "ingress"], 'one of "none", "nodePort", "ingress"')
      .default("none"),
    /** Domain of the Ingress hosts (`<name>.<domain>`); only with `expose` ingress. */
    ingressDomain: optionalText([
      "a lower-case DNS domain such as lab.example.com",
      is.isDns1123Subdomain,
    ]),
    /** IngressClass of those Ingresses; unset: the cluster's default. */
    ingressClassName: optionalText(SUBDOMAIN),
    /** An existing TLS Secret in the namespace for every Ingress host (e.g. `*.<ingressDomain>`). */
    tlsSecret: optionalText(SUBDOMAIN),
    /**
     * A cert-manager ClusterIssuer that issues each Ingress host its certificate.
     * @see https://cert-manager.io/docs/usage/ingress/
     */
    clusterIssuer: optionalText(SUBDOMAIN),
    /** Ingresses without TLS: logins cross the network in clear. For a cluster on this machine only. */
    plainHttp: flag().default(false),
    /** Also expose MinIO's console (and its API on the Ingress): they take the lake's root login. */
    exposeMinio: flag().default(false),
    /**
     * Also expose what asks for no login: Spark's master UI (it can kill applications), the
     * dashboard, and Kafka's external listener (plain TCP, no authentication).
     */
    exposeWithoutLogin: flag().default(false),
  }),
  postgres: section({
    /** PostgreSQL 16 or 17 (18 moved PGDATA); a kept data directory opens only in its own major. */
    image: text("postgres:17.11-bookworm", [
      'the postgres image at major 16 or 17, pinned by its version tag (e.g. "postgres:17.11-bookworm", or with a digest "postgres:17.11@sha256:…"); 18 moved PGDATA',
      (s) => is.isPostgresImage(s, [16, 17]),
    ]),
    /** Accept a major version other than the kept data's, after moving the data by hand. */
    allowMajorChange: flag().default(false),
    /** PVC size on Kubernetes. */ storageSize: text("5Gi", SIZE),
    /** Memory limit. */ memoryMiB: memory(256, "postgres"),
    /** CPU limit in cores. */ cpus: cpus(1),
  }),
  minio: section({
    /** An S3 server that speaks MinIO's admin API. */
    image: text("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", [
      'an image named minio (any registry or namespace: MinIO\'s own or a fork keeping its interface), pinned to a version tag or digest, e.g. "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z"',
      is.isMinioImage,
    ]),
    /** Extra buckets on top of bronze, silver, gold (and mlflow). */
    buckets: list([], bucketProblem),
    /** PVC size on Kubernetes. */ storageSize: text("20Gi", SIZE),
    /** Memory limit. */ memoryMiB: memory(640, "minio"),
    /** CPU limit in cores. */ cpus: cpus(1),
  }),
  spark: section({
    /** Spark workers: numbered containers on Docker, replicas on Kubernetes. */
    workers: whole(0, 64, 2),
    /** Cores each worker offers (SPARK_WORKER_CORES). */ workerCores: whole(1, 64, 1),
    /**
     * Memory each worker offers to executors (SPARK_WORKER_MEMORY); executors need at least 512m.
     * @see https://spark.apache.org/docs/3.5.8/spark-standalone.html#cluster-launch-scripts
     */
    workerMemory: text("512m", [
      'Spark memory of at least 512m, such as "512m" or "2g"',
      (s) => (lab.sparkMemoryMiB(s) ?? 0) >= 512,
    ]),
    /** Container limit of each worker: at least workerMemory + WORKER_OVERHEAD_MIB. */
    workerMemoryMiB: whole(256, 262144, 1408),
    /** Container limit of the master. */ masterMemoryMiB: memory(384, "spark-master"),
    /** CPU limit of the master (a worker's is `workerCores`). */ masterCpus: cpus(1),
  }),
  mlflow: service(832, 1, {}, "mlflow"),
  /** `memoryMiB` and `cpus` are the server's. */
  prefect: service(
    384,
    1,
    {
      /** Container limit of the process worker (flows run inside it, each a Spark driver). */
      workerMemoryMiB: memory(1536, "prefect-worker"),
      /**
       * CPU limit of the process worker. Two cores, because a flow run is a Python process and a Spark
       * driver JVM whose compiler and GC threads run beside it: measured in the real-services suite,
       * one core held the worker back 48 s over the scenario's flow runs.
       */
      workerCpus: cpus(2),
    },
    "prefect-server",
  ),
  kafka: service(
    640,
    1,
    {
      /** PVC size on Kubernetes. */ storageSize: text("10Gi", SIZE),
      /** Topics created once the broker is up. */ topics: list(["lab-events"], topicProblem),
    },
    "kafka",
  ),
  kafkaUi: service(256, 1, { /** Unset: follows `kafka.enabled`. */ enabled: flag().optional() }),
  // NiFi's start-up (NAR unpacking, flow load) is CPU-bound; the hub shares its container with
  // JupyterLab and every notebook's Spark driver.
  /** `storageSize`: each of NiFi's repository PVCs on Kubernetes. */
  nifi: service(768, 2, { storageSize: text("10Gi", SIZE) }),
  /** `storageSize`: the PVC of the users' home directories (notebooks) on Kubernetes. */
  jupyterhub: service(2048, 2, { storageSize: text("10Gi", SIZE) }, "jupyterhub"),
  streamlit: service(256, 1, {}, "streamlit"),
  /** Kubernetes cannot build, so the lab runtime is pushed to a registry or taken prebuilt. */
  images: section({
    /** Registry the lab runtime is pushed to for Kubernetes. */
    registry: optionalText([
      'a registry host with an optional path, e.g. "localhost:5001" or "ghcr.io/you"',
      is.isRegistry,
    ]),
    /** A prebuilt lab runtime image instead of building images/lab-runtime. */
    lab: optionalText(PINNED, /\S/),
  }),
};

type Parsed = z.output<z.ZodObject<typeof shape>>;

/** Rules between keys: each is checked unless a key it reads is wrong (that key's message says so). */
function rules(c: Parsed, ctx: z.RefinementCtx<Parsed>): void {
  const wrong = (key: string) =>
    ctx.issues.some(
      (i) => i.code !== "unrecognized_keys" && `${key}.`.startsWith(`${i.path?.join(".")}.`),
    );
  const check = (bad: boolean, key: string, value: unknown, allowed: string, reads: string[]) => {
    if (bad && ![key, ...reads].some(wrong)) {
      ctx.addIssue({ code: "custom", path: key.split("."), message: allowed, params: { value } });
    }
  };
  const { workerMemory, workerMemoryMiB: mib } = c.spark;
  const least = (lab.sparkMemoryMiB(workerMemory) ?? 0) + lab.WORKER_OVERHEAD_MIB;
  const heap = `at least spark.workerMemory + ${lab.WORKER_OVERHEAD_MIB} MiB (${least})`;
  const offHeap = "for the worker daemon and the executor's JVM beyond its heap";
  check(mib < least, "spark.workerMemoryMiB", mib, `${heap} ${offHeap}`, ["spark.workerMemory"]);
  const needsKafka = "false while kafka.enabled is false (kafkaUi needs kafka)";
  const ui = c.kafkaUi.enabled === true && !c.kafka.enabled;
  check(ui, "kafkaUi.enabled", true, needsKafka, ["kafka.enabled"]);
  // NiFi's certificate holds DNS names only and NiFi rejects a request by IP ("Invalid SNI"), so
  // the address of the active target must be a name while NiFi is on.
  const k8s = c.target === "kubernetes";
  const [hostKey, host] = k8s
    ? ["kubernetes.nodeAddress", c.kubernetes.nodeAddress]
    : ["docker.publishedHost", c.docker.publishedHost];
  const name = `a host name, not an IP address, while nifi.enabled is true (NiFi's certificate holds host names only; map one to the address in /etc/hosts)`;
  check(c.nifi.enabled && net.isIP(host) !== 0, hostKey, host, name, ["target", "nifi.enabled"]);
  const kc = c.kubernetes;
  const ingress = kc.expose === "ingress";
  const onlyIngress = "unset while kubernetes.expose is not ingress";
  check(
    ingress && !kc.ingressDomain,
    "kubernetes.expose",
    kc.expose,
    "ingress only with kubernetes.ingressDomain set (the hosts are <name>.<domain>)",
    ["kubernetes.ingressDomain"],
  );
  for (const key of ["ingressDomain", "ingressClassName", "tlsSecret", "clusterIssuer"] as const) {
    check(!ingress && kc[key] !== undefined, `kubernetes.${key}`, kc[key], onlyIngress, [
      "kubernetes.expose",
    ]);
  }
  check(!ingress && kc.plainHttp, "kubernetes.plainHttp", true, `false ${onlyIngress.slice(6)}`, [
    "kubernetes.expose",
  ]);
  const tls = [kc.tlsSecret !== undefined, kc.clusterIssuer !== undefined, kc.plainHttp].filter(
    Boolean,
  );
  check(
    ingress && tls.length !== 1,
    "kubernetes.expose",
    kc.expose,
    "ingress with exactly one of kubernetes.tlsSecret (an existing TLS Secret), kubernetes.clusterIssuer (cert-manager) or kubernetes.plainHttp true (logins in clear)",
    ["kubernetes.tlsSecret", "kubernetes.clusterIssuer", "kubernetes.plainHttp"],
  );
  const pushed = `a pushed image reference when images.registry is not set (a cluster cannot use images built on this machine)`;
  const unbuilt = k8s && !c.images.registry && !c.images.lab;
  check(unbuilt, "images.lab", null, pushed, ["target", "images"]);
}

/** Every key's checks, then the rules between keys (even when a key is wrong), then what follows. */
export const LabSchema = z
  .strictObject(shape)
  .superRefine(rules, { when: () => true })
  .transform((c) => ({
    ...c,
    kafkaUi: {
      ...c.kafkaUi,
      /** Deploy the Kafka UI; unset, it follows `kafka.enabled`. */
      enabled: c.kafkaUi.enabled ?? c.kafka.enabled,
    },
  }));

/** Read-only all the way down: the config is parsed once, and nothing may change it after. */
type Frozen<T> = T extends readonly (infer E)[]
  ? readonly Frozen<E>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/** The parsed stack config. */
export type LabConfig = Frozen<z.output<typeof LabSchema>> & {
  /** Pulumi stack name. */ readonly stack: string;
};
/** Where the lab runs. */ export type Target = LabConfig["target"];
/** The services that can be switched off: every section with an `enabled` key. */
export type Toggle = {
  [K in keyof LabConfig]: LabConfig[K] extends { enabled: boolean } ? K : never;
}[keyof LabConfig];

/** What a stack that sets nothing gets: each section's defaults (and, apart, `target`'s). */
export const { target: defaultTarget, ...defaults } = LabSchema.parse({});
