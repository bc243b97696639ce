import * as net from "net";
import * as pulumi from "@pulumi/pulumi";
import { defaults, TOP_LEVEL_KEYS, type LabConfig, type Target } from "./configSchema";
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
    },
  };

  p.throwIfAny(stack);
  return config;
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
