import * as net from "net";
import * as pulumi from "@pulumi/pulumi";
import {
  defaults,
  REQUIRES,
  TOGGLES,
  TOP_LEVEL_KEYS,
  type LabConfig,
  type Target,
  type Toggle,
} from "./configSchema";
import {
  Problems,
  readBoolean,
  readImage,
  readInteger,
  readOneOf,
  readOptionalString,
  readQuantity,
  readSection,
  readString,
  readStringList,
} from "./configReaders";

export type { LabConfig, Target } from "./configSchema";

/** Raw stack config as the CLI hands it to the program: key (without namespace) → JSON-ish value. */
export type RawConfig = Record<string, unknown>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DOCKER_HOST = /^(unix|tcp|ssh|npipe):\/\/.+$/;
const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

/** Buckets the lab always creates; `minio.buckets` adds to these. */
export const MEDALLION_BUCKETS = ["bronze", "silver", "gold"] as const;
/** Internal buckets the lab's own services need (MLflow's artifact store). */
export const INTERNAL_BUCKETS = ["mlflow"] as const;

/**
 * Parses and validates the whole stack config. Every problem is collected and reported in one
 * `pulumi.RunError` (the CLI prints it without a stack trace) before any resource exists, so a typo
 * never leaves a half-deployed lab.
 */
export function parseConfig(raw: RawConfig, stack: string): LabConfig {
  const p = new Problems();

  for (const key of Object.keys(raw).sort()) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      p.unknownKey(key, TOP_LEVEL_KEYS);
    }
  }

  const target = readOneOf<Target>(p, "target", raw.target, ["docker", "kubernetes"], "docker");
  const retainDataOnDestroy = readBoolean(
    p,
    "retainDataOnDestroy",
    raw.retainDataOnDestroy,
    defaults.retainDataOnDestroy,
  );

  const d = readSection(p, "docker", raw.docker, Object.keys(defaults.docker).concat("host"));
  const bindAddress = readString(
    p,
    "docker.bindAddress",
    d.bindAddress,
    defaults.docker.bindAddress,
  );
  if (bindAddress !== undefined && net.isIP(bindAddress) === 0) {
    p.add("docker.bindAddress", bindAddress, "an IPv4 or IPv6 address such as 127.0.0.1");
  }
  const host = readOptionalString(p, "docker.host", d.host);
  if (host !== undefined && !DOCKER_HOST.test(host)) {
    p.add("docker.host", host, "a Docker endpoint: unix://, tcp://, ssh:// or npipe://");
  }
  const publishedHost = readString(
    p,
    "docker.publishedHost",
    d.publishedHost,
    defaults.docker.publishedHost,
  );
  if (!HOSTNAME.test(publishedHost)) {
    p.add("docker.publishedHost", publishedHost, "a host name or IP address");
  }

  const k = readSection(
    p,
    "kubernetes",
    raw.kubernetes,
    Object.keys(defaults.kubernetes).concat([
      "context",
      "kubeconfig",
      "storageClass",
      "ingressDomain",
      "ingressClassName",
    ]),
  );
  const namespace = readString(
    p,
    "kubernetes.namespace",
    k.namespace,
    defaults.kubernetes.namespace,
  );
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
    p.add(
      "kubernetes.namespace",
      namespace,
      "a DNS-1123 label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit",
    );
  }
  const nodeAddress = readString(
    p,
    "kubernetes.nodeAddress",
    k.nodeAddress,
    defaults.kubernetes.nodeAddress,
  );
  if (!HOSTNAME.test(nodeAddress)) {
    p.add("kubernetes.nodeAddress", nodeAddress, "a host name or IP address");
  }
  const ingressDomain = readOptionalString(p, "kubernetes.ingressDomain", k.ingressDomain);
  if (ingressDomain !== undefined && !HOSTNAME.test(ingressDomain)) {
    p.add("kubernetes.ingressDomain", ingressDomain, "a DNS domain such as lab.example.com");
  }

  const pg = readSection(p, "postgres", raw.postgres, Object.keys(defaults.postgres));
  const m = readSection(p, "minio", raw.minio, Object.keys(defaults.minio));
  const extraBuckets = readStringList(p, "minio.buckets", m.buckets, defaults.minio.buckets);
  const reserved: readonly string[] = [...MEDALLION_BUCKETS, ...INTERNAL_BUCKETS];
  extraBuckets.forEach((bucket, i) => {
    if (!BUCKET_NAME.test(bucket) || bucket.includes("..")) {
      p.add(
        `minio.buckets[${i}]`,
        bucket,
        "an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-'",
      );
    } else if (reserved.includes(bucket)) {
      p.add(
        `minio.buckets[${i}]`,
        bucket,
        `a bucket other than ${reserved.join(", ")}, which the lab always creates`,
      );
    } else if (extraBuckets.indexOf(bucket) !== i) {
      p.add(`minio.buckets[${i}]`, bucket, "each bucket once");
    }
  });

  const s = readSection(p, "spark", raw.spark, Object.keys(defaults.spark));
  const workerMemory = readString(
    p,
    "spark.workerMemory",
    s.workerMemory,
    defaults.spark.workerMemory,
  );
  const workerMemoryMiB = sparkMemoryMiB(workerMemory);
  if (workerMemoryMiB === undefined || workerMemoryMiB < 512) {
    p.add(
      "spark.workerMemory",
      workerMemory,
      'Spark memory of at least 512m, such as "512m" or "2g"',
    );
  }
  const workerLimit = readInteger(
    p,
    "spark.workerMemoryMiB",
    s.workerMemoryMiB,
    defaults.spark.workerMemoryMiB,
    256,
    262144,
  );
  if (workerMemoryMiB !== undefined && workerLimit < workerMemoryMiB + 512) {
    p.add(
      "spark.workerMemoryMiB",
      workerLimit,
      `at least spark.workerMemory + 512 MiB (${workerMemoryMiB + 512}) for the worker daemon and JVM overhead`,
    );
  }
  const toggles = readToggles(p, raw);
  const images = readImages(p, raw.images, target);

  const config: LabConfig = {
    stack,
    target,
    retainDataOnDestroy,
    docker: { host, bindAddress, publishedHost },
    kubernetes: {
      namespace,
      context: readOptionalString(p, "kubernetes.context", k.context),
      kubeconfig: readOptionalString(p, "kubernetes.kubeconfig", k.kubeconfig),
      storageClass: readOptionalString(p, "kubernetes.storageClass", k.storageClass),
      nodeAddress,
      ingressDomain,
      ingressClassName: readOptionalString(p, "kubernetes.ingressClassName", k.ingressClassName),
    },
    postgres: {
      image: readImage(p, "postgres.image", pg.image, defaults.postgres.image),
      storageSize: readQuantity(
        p,
        "postgres.storageSize",
        pg.storageSize,
        defaults.postgres.storageSize,
      ),
      memoryMiB: readInteger(
        p,
        "postgres.memoryMiB",
        pg.memoryMiB,
        defaults.postgres.memoryMiB,
        128,
        65536,
      ),
    },
    minio: {
      image: readImage(p, "minio.image", m.image, defaults.minio.image),
      buckets: extraBuckets,
      storageSize: readQuantity(p, "minio.storageSize", m.storageSize, defaults.minio.storageSize),
      memoryMiB: readInteger(
        p,
        "minio.memoryMiB",
        m.memoryMiB,
        defaults.minio.memoryMiB,
        256,
        65536,
      ),
    },
    spark: {
      workers: readInteger(p, "spark.workers", s.workers, defaults.spark.workers, 0, 64),
      workerCores: readInteger(
        p,
        "spark.workerCores",
        s.workerCores,
        defaults.spark.workerCores,
        1,
        64,
      ),
      workerMemory,
      workerMemoryMiB: workerLimit,
      masterMemoryMiB: readInteger(
        p,
        "spark.masterMemoryMiB",
        s.masterMemoryMiB,
        defaults.spark.masterMemoryMiB,
        256,
        65536,
      ),
    },
    ...toggles,
    images,
  };

  p.throwIfAny(stack);
  return config;
}

/** MiB in a Spark memory string ("512m", "2g"), or undefined when it is not one. */
export function sparkMemoryMiB(value: string): number | undefined {
  const m = /^([1-9]\d*)([mg])$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
}

/**
 * `<service>.enabled` / `<service>.memoryMiB` for every optional service. A service switched on
 * explicitly while what it needs is off is an error; left unset, it follows what it needs.
 */
function readToggles(p: Problems, raw: RawConfig): Pick<LabConfig, Toggle> {
  const out: Record<string, unknown> = {};
  const explicit: Partial<Record<Toggle, boolean>> = {};
  for (const name of TOGGLES) {
    const d = defaults[name] as Record<string, unknown> & { enabled: boolean; memoryMiB: number };
    const section = readSection(p, name, raw[name], Object.keys(d));
    const enabled = readBoolean(p, `${name}.enabled`, section.enabled, d.enabled);
    if (section.enabled !== undefined) explicit[name] = enabled;
    const parsed: Record<string, unknown> = {
      enabled,
      memoryMiB: readInteger(p, `${name}.memoryMiB`, section.memoryMiB, d.memoryMiB, 128, 65536),
    };
    if ("workerMemoryMiB" in d) {
      parsed.workerMemoryMiB = readInteger(
        p,
        `${name}.workerMemoryMiB`,
        section.workerMemoryMiB,
        d.workerMemoryMiB as number,
        128,
        65536,
      );
    }
    if ("storageSize" in d) {
      parsed.storageSize = readQuantity(
        p,
        `${name}.storageSize`,
        section.storageSize,
        d.storageSize as string,
      );
    }
    if ("topics" in d) {
      const topics = readStringList(p, `${name}.topics`, section.topics, d.topics as string[]);
      topics.forEach((t, i) => {
        if (!/^[a-zA-Z0-9._-]{1,249}$/.test(t) || t === "." || t === "..") {
          p.add(`${name}.topics[${i}]`, t, "a Kafka topic name: letters, digits, '.', '_' or '-'");
        }
      });
      parsed.topics = topics;
    }
    out[name] = parsed;
  }
  for (const [name, needs] of Object.entries(REQUIRES) as [Toggle, Toggle][]) {
    const svc = out[name] as { enabled: boolean };
    const dep = out[needs] as { enabled: boolean };
    if (svc.enabled && !dep.enabled) {
      if (explicit[name]) {
        p.add(
          `${name}.enabled`,
          true,
          `false while ${needs}.enabled is false (${name} needs ${needs})`,
        );
      }
      svc.enabled = false;
    }
  }
  return out as unknown as Pick<LabConfig, Toggle>;
}

const BUILT_IMAGES = ["lab", "mlflow", "streamlit"] as const;

/** Where the lab's own images come from; Kubernetes cannot build, so it needs a registry or refs. */
function readImages(p: Problems, value: unknown, target: Target): LabConfig["images"] {
  const section = readSection(p, "images", value, ["registry", ...BUILT_IMAGES]);
  const registry = readOptionalString(p, "images.registry", section.registry);
  if (registry !== undefined && !/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(registry)) {
    p.add(
      "images.registry",
      registry,
      'a registry host with an optional path, e.g. "localhost:5001" or "ghcr.io/you"',
    );
  }
  const refs: Record<string, string | undefined> = {};
  for (const name of BUILT_IMAGES) {
    const v = readOptionalString(p, `images.${name}`, section[name]);
    refs[name] = v === undefined ? undefined : readImage(p, `images.${name}`, v, v);
    if (target === "kubernetes" && registry === undefined && refs[name] === undefined) {
      p.add(
        `images.${name}`,
        null,
        "a pushed image reference when images.registry is not set (a cluster cannot use images built on this machine)",
      );
    }
  }
  return { registry, lab: refs.lab, mlflow: refs.mlflow, streamlit: refs.streamlit };
}

/**
 * Reads this project's stack config through the Pulumi SDK (the only place that does) and parses it.
 * Object-valued keys arrive as JSON text, exactly as `pulumi config set --path` stores them.
 */
export function loadConfig(): LabConfig {
  const project = pulumi.getProject();
  const prefix = `${project}:`;
  const raw: RawConfig = {};
  const problems: string[] = [];
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = decode(text, key, problems);
  }
  if (problems.length > 0) {
    throw new pulumi.RunError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
  return parseConfig(raw, pulumi.getStack());
}

/** Config values are strings; objects, lists, numbers and booleans come JSON-encoded. */
function decode(text: string, key: string, problems: string[]): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      problems.push(`${key} must be valid JSON, got ${JSON.stringify(text)}`);
      return undefined;
    }
  }
  return text;
}
