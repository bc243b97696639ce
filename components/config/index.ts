import * as net from "net";
import * as pulumi from "@pulumi/pulumi";
import { Problems, readBoolean, readOneOf } from "./readers";
import { defaults, TOP_LEVEL_KEYS, type LabConfig, type Target } from "./schema";
import { readMinio, readPostgres, readSpark, readToggles } from "./services";
import { readDocker, readImages, readKubernetes } from "./targets";

export type { LabConfig, Target } from "./schema";
export { INTERNAL_BUCKETS, MEDALLION_BUCKETS, sparkMemoryMiB } from "./services";

/** Raw stack config as the CLI hands it to the program: key (without namespace) → JSON-ish value. */
export type RawConfig = Record<string, unknown>;

/**
 * Parses and validates the whole stack config. Every problem is collected and reported in one
 * `pulumi.RunError` (the CLI prints it without a stack trace) before any resource exists, so a typo
 * never leaves a half-deployed lab.
 */
export function parseConfig(raw: RawConfig, stack: string): LabConfig {
  const p = new Problems();
  for (const key of Object.keys(raw).sort()) {
    if (!TOP_LEVEL_KEYS.includes(key)) p.unknownKey(key, TOP_LEVEL_KEYS);
  }
  const target = readOneOf<Target>(p, "target", raw.target, ["docker", "kubernetes"], "docker");
  const config: LabConfig = {
    stack,
    target,
    retainDataOnDestroy: readBoolean(
      p,
      "retainDataOnDestroy",
      raw.retainDataOnDestroy,
      defaults.retainDataOnDestroy,
    ),
    docker: readDocker(p, raw.docker),
    kubernetes: readKubernetes(p, raw.kubernetes),
    postgres: readPostgres(p, raw.postgres),
    minio: readMinio(p, raw.minio),
    spark: readSpark(p, raw.spark),
    ...readToggles(p, raw),
    images: readImages(p, raw.images, target),
  };
  checkPublishedHost(p, config);
  p.throwIfAny(stack);
  return config;
}

/**
 * NiFi's certificate holds DNS names only and NiFi rejects a request by IP ("Invalid SNI"), so the
 * address people and the lab's tools use to reach the active target must be a name while NiFi is on.
 */
function checkPublishedHost(p: Problems, config: LabConfig): void {
  const [key, host] =
    config.target === "kubernetes"
      ? ["kubernetes.nodeAddress", config.kubernetes.nodeAddress]
      : ["docker.publishedHost", config.docker.publishedHost];
  if (config.nifi.enabled && net.isIP(host) !== 0) {
    p.add(
      key,
      host,
      "a host name, not an IP address, while nifi.enabled is true (NiFi's certificate holds host names only; map one to the address in /etc/hosts)",
    );
  }
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
