import * as net from "net";
import { z } from "zod";
import { about, flag, optionalText, section, text, type Format } from "./fields";
import * as is from "./formats";
import * as lab from "./services";
import { POSTGRES_CONFIG } from "../storage/postgresConfig";
import { MINIO_CONFIG } from "../storage/minioConfig";
import { SPARK_CONFIG } from "../compute/sparkConfig";
import { THRIFT_SERVER_CONFIG } from "../compute/thriftServerConfig";
import { LINEAGE_CONFIG } from "../governance/lineageConfig";
import { MLFLOW_CONFIG } from "../ml/mlflowConfig";
import { PREFECT_CONFIG } from "../orchestration/prefectConfig";
import { KAFKA_CONFIG } from "../streaming/kafkaConfig";
import { KAFKA_UI_CONFIG } from "../streaming/kafkaUiConfig";
import { NIFI_CONFIG } from "../ingestion/nifiConfig";
import { JUPYTERHUB_CONFIG } from "../notebooks/jupyterhubConfig";
import { STREAMLIT_CONFIG } from "../apps/streamlitConfig";

/**
 * The stack config, declared once: every key of the `dataflow-lab:` namespace with its type, what is
 * allowed, its default and its meaning (`about`); `LabConfig` is inferred from it. The lab's own
 * sections are declared here, each service's beside its component (`<service>Config.ts`). Each check's
 * message says what is allowed; the loader (index.ts) puts the key before it and the value after.
 *
 * Defaults live here and in `Pulumi.yaml`. The program needs them (a preview, the mock runtime, and a
 * stack that sets one field of an object, which replaces the whole object); `Pulumi.yaml` gives them
 * to the CLI, so `pulumi config` shows them with their descriptions. test/config.test.ts fails when
 * the two disagree, and checks that docs/configuration.md's table lists exactly these keys.
 */

const PINNED: Format = [
  'an image pinned to a version tag or digest (e.g. "postgres:17.11-bookworm"), never "latest"',
  is.isPinnedImage,
  "pinned image",
];
const HOST: Format = [
  "a lower-case host name (RFC 1123) or an IPv4 address",
  is.isHostName,
  "host name",
];
const SUBDOMAIN: Format = [
  "a lower-case DNS-1123 subdomain: letters, digits, '-' and '.', at most 253",
  is.isDns1123Subdomain,
  "DNS-1123 subdomain",
];

/**
 * The keys of the `dataflow-lab:` namespace, in the order the loader lists them, each with what it
 * does (`about`): `npm run docs` writes docs/configuration.md and Pulumi.yaml's config from here.
 */
export const shape = {
  target: about(
    z.enum(["docker", "kubernetes"], 'one of "docker", "kubernetes"').default("docker"),
    "Where the lab runs.",
    { note: 'Where the lab runs, "docker" or "kubernetes".' },
  ),
  retainDataOnDestroy: about(
    flag().default(true),
    "Keep Docker volumes, PVCs and the buckets on `pulumi destroy`. Set `false` to let destroy delete the data. The namespace is never deleted (it may be one the lab adopted, with other objects in it): `kubectl delete namespace` it yourself.",
    {
      note: "Keep data volumes, PVCs and the buckets on `pulumi destroy` (the namespace is always kept).",
    },
  ),
  docker: about(
    section({
      host: about(
        optionalText([
          "a Docker endpoint: unix://, tcp://, ssh:// or npipe://",
          (s) => /^(unix|tcp|ssh|npipe):\/\/.+$/.test(s),
        ]),
        "Docker endpoint: `unix://`, `tcp://`, `ssh://` or `npipe://` (on the `k8s` stack, the Docker that builds and pushes the lab's images).",
        { unset: "`$DOCKER_HOST`, else the local socket" },
      ),
      bindAddress: about(
        text("127.0.0.1", ["an IPv4 or IPv6 address such as 127.0.0.1", net.isIP, "IP address"]),
        "Address every published port binds to. `0.0.0.0` exposes the lab to your network.",
      ),
      publishedHost: about(
        text("localhost", HOST),
        "Name used in URLs, Kafka's host listener, NiFi's certificate, and by `pulumi up` to reach MinIO (set it for a remote Docker host).",
      ),
      // @see https://docs.docker.com/reference/dockerfile/#healthcheck
      healthStartInterval: about(
        flag().default(true),
        "Health checks poll a starting service every 2 s (`start_interval`, Docker API 1.44, Engine 25+). Set `false` on podman (its Docker API is 1.41) or an older engine, which refuse such a container; `npm run up` sets it when it finds one. Services then count as healthy up to one interval (10 s) later.",
      ),
    }),
    "Docker target: endpoint, bind address of published ports, published host name.",
    { note: "Docker target: endpoint, bind address of published ports, published host name." },
  ),
  kubernetes: about(
    section({
      namespace: about(
        text("dataflow-lab", [
          "a DNS-1123 label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit, other than default and kube-* (Kubernetes' own)",
          (s) => is.isDns1123Label(s) && !is.isReservedNamespace(s),
          "DNS-1123 label",
        ]),
        "Namespace of every object; `default` and `kube-*` (Kubernetes' own) are refused.",
      ),
      context: about(optionalText(), "kubeconfig context.", { unset: "the current context" }),
      kubeconfig: about(optionalText(), "kubeconfig path or contents.", {
        unset: "`$KUBECONFIG`, else `~/.kube/config`",
      }),
      storageClass: about(optionalText(SUBDOMAIN), "StorageClass of every PVC.", {
        unset: "the cluster's default",
      }),
      // @see https://kind.sigs.k8s.io/docs/user/configuration/#extra-port-mappings
      nodeAddress: about(
        text("localhost", HOST),
        "A node's address as seen from the machine running Pulumi; NodePort URLs, Kafka's host listener and the MinIO API use it.",
      ),
      expose: about(
        z
          .enum(["none", "nodePort", "ingress"], 'one of "none", "nodePort", "ingress"')
          .default("none"),
        "How people reach the UIs from outside the cluster: `kubectl port-forward` (the `urls` output names the local ports), each UI's NodePort, or an Ingress with TLS per UI. Only what asks for a login is exposed; see [What is exposed](kubernetes.md#what-is-exposed-and-behind-what). MinIO's S3 API keeps its NodePort in every mode: `pulumi up` manages the buckets through it.",
      ),
      ingressDomain: about(
        optionalText([
          "a lower-case DNS domain such as lab.example.com",
          is.isDns1123Subdomain,
          "lower-case domain",
        ]),
        "With `expose` `ingress` (required then, refused otherwise): the Ingress hosts are `<name>.<domain>`.",
      ),
      ingressClassName: about(optionalText(SUBDOMAIN), "IngressClass of those Ingresses.", {
        unset: "the cluster's default",
      }),
      tlsSecret: about(
        optionalText(SUBDOMAIN),
        "An existing TLS Secret in the namespace for every Ingress host (e.g. a `*.<domain>` certificate).",
      ),
      // @see https://cert-manager.io/docs/usage/ingress/
      clusterIssuer: about(
        optionalText(SUBDOMAIN),
        "A cert-manager ClusterIssuer that issues each Ingress host's certificate (into `<name>-tls`). With `expose` `ingress`, exactly one of `tlsSecret`, `clusterIssuer` and `plainHttp` is required.",
      ),
      plainHttp: about(
        flag().default(false),
        "Ingresses without TLS: logins cross the network in clear. For a cluster on your own machine.",
      ),
      exposeMinio: about(
        flag().default(false),
        "Also expose MinIO's console (and its API on the Ingress); both take the lake's root login.",
      ),
      exposeWithoutLogin: about(
        flag().default(false),
        "Also expose what asks for no login: Spark's master UI (it can kill applications), the dashboard, Kafka's external listener (plain TCP).",
      ),
    }),
    "Kubernetes target: namespace, context/kubeconfig, storage class, node address, exposure.",
    {
      note: "Kubernetes target: namespace, context/kubeconfig, storage class, node address, exposure.",
    },
  ),
  postgres: POSTGRES_CONFIG,
  minio: MINIO_CONFIG,
  spark: SPARK_CONFIG,
  mlflow: MLFLOW_CONFIG,
  prefect: PREFECT_CONFIG,
  kafka: KAFKA_CONFIG,
  kafkaUi: KAFKA_UI_CONFIG,
  nifi: NIFI_CONFIG,
  jupyterhub: JUPYTERHUB_CONFIG,
  thriftServer: THRIFT_SERVER_CONFIG,
  lineage: LINEAGE_CONFIG,
  streamlit: STREAMLIT_CONFIG,
  // Kubernetes cannot build, so the lab runtime is pushed to a registry or taken prebuilt.
  images: about(
    section({
      registry: about(
        optionalText([
          'a registry host with an optional path, e.g. "localhost:5001" or "ghcr.io/you"',
          is.isRegistry,
          "registry",
        ]),
        "Where Kubernetes pulls the lab runtime image from; it is built on this machine and pushed there.",
      ),
      lab: about(
        optionalText(PINNED, /\S/),
        "A prebuilt lab runtime image instead of building `images/lab-runtime`.",
      ),
    }),
    "Where the lab runtime image comes from on Kubernetes (registry) or a prebuilt reference.",
    {
      note: "Where the lab runtime image comes from on Kubernetes (registry) or a prebuilt reference.",
    },
  ),
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
