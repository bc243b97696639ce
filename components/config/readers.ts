import * as pulumi from "@pulumi/pulumi";

/**
 * Typed readers for raw config values. Each reader records a problem instead of throwing, so the
 * user sees every bad key of a run at once, and returns a usable value (the default) to keep going.
 */

/** Collects config problems; each names the key, the value given and what is allowed. */
export class Problems {
  private readonly list: string[] = [];

  add(key: string, value: unknown, allowed: string): void {
    this.list.push(`${key} must be ${allowed}, got ${show(value)}`);
  }

  unknownKey(key: string, known: readonly string[]): void {
    const hint = closest(key, known);
    this.list.push(
      `${key} is not a known setting${hint ? ` (did you mean ${hint}?)` : ""}; known: ${known.join(", ")}`,
    );
  }

  get messages(): readonly string[] {
    return this.list;
  }

  throwIfAny(stack: string): void {
    if (this.list.length > 0) {
      throw new pulumi.RunError(
        `Invalid configuration for stack '${stack}' (nothing was deployed):\n  - ${this.list.join("\n  - ")}`,
      );
    }
  }
}

function show(value: unknown): string {
  return typeof value === "string"
    ? JSON.stringify(value)
    : (JSON.stringify(value) ?? String(value));
}

/** The known key within edit distance 2 of `key`, to turn a typo into a hint. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** An object-valued key; unknown sub-keys are reported (a typo must not silently fall back). */
export function readSection(
  p: Problems,
  key: string,
  value: unknown,
  knownKeys: readonly string[],
): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    p.add(
      key,
      value,
      `an object (set its fields with: pulumi config set --path ${key}.<field> <value>)`,
    );
    return {};
  }
  const section = value as Record<string, unknown>;
  const known = [...knownKeys].sort();
  for (const sub of Object.keys(section).sort()) {
    if (!known.includes(sub)) {
      p.unknownKey(
        `${key}.${sub}`,
        known.map((k) => `${key}.${k}`),
      );
    }
  }
  return section;
}

export function readString(p: Problems, key: string, value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string" || value.trim() === "") {
    p.add(key, value, "a non-empty string");
    return fallback;
  }
  return value;
}

export function readOptionalString(p: Problems, key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    p.add(key, value, "a string");
    return undefined;
  }
  return value;
}

export function readOneOf<T extends string>(
  p: Problems,
  key: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    p.add(key, value, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
    return fallback;
  }
  return value as T;
}

export function readBoolean(p: Problems, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  p.add(key, value, "true or false");
  return fallback;
}

/** A whole number in [min, max]; numeric strings count, since the CLI may store numbers as text. */
export function readInteger(
  p: Problems,
  key: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === null) return fallback;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    p.add(key, value, `a whole number from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

/**
 * A CPU limit: a number of cores from 0.1 to 64 in steps of 0.1, so that Kubernetes millicores are
 * exact. Docker refuses a container whose limit exceeds the host's CPUs, hence the README's minimum.
 */
export function readCpus(p: Problems, key: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!(n >= 0.1 && n <= 64) || Math.abs(n * 10 - Math.round(n * 10)) > 1e-9) {
    p.add(key, value, "a number of CPUs from 0.1 to 64 in steps of 0.1, such as 0.5, 1 or 2");
    return fallback;
  }
  return n;
}

export function readStringList(
  p: Problems,
  key: string,
  value: unknown,
  fallback: readonly string[],
): string[] {
  if (value === undefined || value === null) return [...fallback];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    p.add(key, value, "a list of strings");
    return [...fallback];
  }
  return value as string[];
}

/** A Kubernetes storage quantity in binary units, e.g. "10Gi". */
export function readQuantity(p: Problems, key: string, value: unknown, fallback: string): string {
  const s = readString(p, key, value, fallback);
  if (!/^[1-9]\d*(Mi|Gi|Ti)$/.test(s)) {
    p.add(key, s, 'a size such as "512Mi", "20Gi" or "1Ti"');
    return fallback;
  }
  return s;
}

/**
 * An image reference pinned to a tag or digest. `latest` (or no tag at all) would make two
 * `pulumi up` runs deploy different software, so it is refused.
 */
export function readImage(p: Problems, key: string, value: unknown, fallback: string): string {
  const s = readString(p, key, value, fallback);
  const lastSegment = s.slice(s.lastIndexOf("/") + 1);
  const digest = /@sha256:[a-f0-9]{64}$/.test(s);
  const tag = /^[a-z0-9][a-z0-9._-]*:([\w][\w.-]{0,127})$/.exec(lastSegment.split("@")[0]);
  if (/\s/.test(s) || (!digest && (!tag || tag[1] === "latest"))) {
    p.add(
      key,
      s,
      'an image pinned to a version tag or digest (e.g. "postgres:16.9-bookworm"), never "latest"',
    );
    return fallback;
  }
  return s;
}
