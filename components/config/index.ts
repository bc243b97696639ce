import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { LabSchema, shape, type LabConfig } from "./schema";

export type { LabConfig, Target, Toggle } from "./schema";

/**
 * What a platform reads of the config: where it runs and how, and whether data outlives destroy;
 * never a service's section (a service hands the platform what it needs in its WorkloadSpec).
 */
export type PlatformConfig = Pick<
  LabConfig,
  "stack" | "target" | "docker" | "kubernetes" | "images" | "retainDataOnDestroy"
>;
export {
  BRONZE,
  GOLD,
  INTERNAL_BUCKETS,
  MEDALLION_BUCKETS,
  MLFLOW_BUCKET,
  SILVER,
  sparkMemoryMiB,
} from "./services";

/** Raw stack config as the CLI hands it to the program: key (without namespace) → JSON-ish value. */
export type RawConfig = Record<string, unknown>;

/**
 * Parses and validates the whole stack config. Every problem is reported in one `pulumi.RunError`
 * (the CLI prints it without a stack trace) before any resource exists, so a typo never leaves a
 * half-deployed lab.
 */
export function parseConfig(raw: RawConfig, stack: string): LabConfig {
  const result = LabSchema.safeParse(withoutNulls(raw));
  if (result.success) return { stack, ...result.data };
  // Typos first: a misspelt key often explains why another one kept its default.
  const typo = (i: z.core.$ZodIssue) => Number(i.code === "unrecognized_keys");
  const issues = result.error.issues.sort((a, b) => typo(b) - typo(a));
  // A value failing two checks that mean one thing (-1.5: not whole, below 0) is reported once.
  const problems = [...new Set(issues.flatMap((issue) => describe(issue, raw)))];
  throw new pulumi.RunError(
    `Invalid configuration for stack '${stack}' (nothing was deployed):\n  - ${problems.join("\n  - ")}`,
  );
}

/** `null` means unset: a known key gets its default, an unknown one is still a typo. */
function withoutNulls(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNulls(v)]));
}

/** Problem lines: the key, what is allowed, and the value given (or the one a rule judged). */
function describe(issue: z.core.$ZodIssue, raw: RawConfig): string[] {
  const section = issue.path[0] as keyof typeof shape | undefined;
  if (issue.code === "unrecognized_keys") {
    const at = section ? `${section}.` : "";
    const fields = section && (shape[section] as z.ZodPrefault<z.ZodObject>).unwrap().shape;
    const known = (fields ? Object.keys(fields).sort() : Object.keys(shape)).map((k) => at + k);
    return issue.keys.sort().map((k) => unknownKey(at + k, known));
  }
  const key = issue.path.join(".").replace(/\.(\d+)(?=\.|$)/g, "[$1]");
  const given =
    issue.code === "custom" && issue.params
      ? issue.params.value
      : issue.path.reduce<unknown>((v, p) => (v as Record<PropertyKey, unknown>)?.[p], raw);
  return [`${key} must be ${issue.message}, got ${JSON.stringify(given) ?? String(given)}`];
}

/** Names the known key within edit distance 2 (the first of the nearest), to turn a typo into a hint. */
function unknownKey(key: string, known: readonly string[]): string {
  const near = known
    .map((k) => [distance(key.toLowerCase(), k.toLowerCase()), k] as const)
    .filter(([d]) => d <= 2)
    .sort(([a], [b]) => a - b)[0]?.[1];
  return `${key} is not a known setting${near ? ` (did you mean ${near}?)` : ""}; known: ${known.join(", ")}`;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * Reads this project's stack config through the Pulumi SDK (the only place that does) and parses it.
 * Objects, lists, numbers and booleans arrive as JSON text, as `pulumi config set --path` stores them.
 */
export function loadConfig(): LabConfig {
  const prefix = `${pulumi.getProject()}:`;
  const raw: RawConfig = {};
  const problems: string[] = [];
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    try {
      raw[key] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
    } catch {
      problems.push(`${key} must be valid JSON, got ${JSON.stringify(text)}`);
    }
  }
  if (problems.length > 0) {
    throw new pulumi.RunError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
  return parseConfig(raw, pulumi.getStack());
}
