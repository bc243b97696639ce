/**
 * Reading what the real engine planned (`pulumi preview --json`) and what it recorded
 * (`pulumi stack export`), in the graph suite's terms: `type::name` per resource.
 */

/** One resource as `pulumi preview --json` plans it (the fields the suite reads). */
export interface PlannedStep {
  readonly op: string;
  readonly urn: string;
  readonly newState?: {
    readonly type: string;
    readonly custom?: boolean;
    readonly inputs?: Record<string, any>;
    readonly parent?: string;
    readonly provider?: string;
    readonly dependencies?: string[];
    readonly propertyDependencies?: Record<string, string[]>;
  };
}

/** One resource of `pulumi stack export`. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly outputs?: Record<string, unknown>;
}

export interface Preview {
  readonly steps: PlannedStep[];
  readonly diagnostics?: { severity: string; message: string; urn?: string }[];
}

/** `type::name` of a URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`). */
export function resourceKey(urn: string): string {
  const [, , typePath, ...name] = urn.split("::");
  return `${typePath.slice(typePath.lastIndexOf("$") + 1)}::${name.join("::")}`;
}

/** A provider reference (`<urn>::<id>`) without its id. */
const providerUrn = (ref: string) => ref.slice(0, ref.lastIndexOf("::"));

/**
 * `excluded` and every resource that depends on one of them, directly or not: by a dependency, a
 * property's dependency, its provider or its parent, as `--exclude-dependents` leaves them out.
 */
export function withDependents(
  steps: readonly PlannedStep[],
  excluded: Iterable<string>,
): Set<string> {
  const out = new Set(excluded);
  for (let grew = true; grew;) {
    grew = false;
    for (const { urn, newState: s } of steps) {
      if (out.has(urn) || !s) continue;
      const on = [
        ...(s.dependencies ?? []),
        ...Object.values(s.propertyDependencies ?? {}).flat(),
        ...(s.provider ? [providerUrn(s.provider)] : []),
        ...(s.parent ? [s.parent] : []),
      ];
      if (on.some((u) => out.has(u))) {
        out.add(urn);
        grew = true;
      }
    }
  }
  return out;
}

/** Signature key of a secret in exported state (`{<sig>: <secret sig>, plaintext: "<json>"}`). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A value of `pulumi stack export --show-secrets` with each secret envelope opened. */
export function revealed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealed);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (SECRET_SIG in o && typeof o.plaintext === "string")
      return revealed(JSON.parse(o.plaintext));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revealed(v)]));
  }
  return value;
}

/** The lines of `pulumi preview --diff` that name a change, for a failure message. */
export function changeLines(diff: string): string {
  return diff
    .split("\n")
    .filter((l) => /^\s*([+~-]{1,2}|\+-)\s*\S+:\S+|\[diff: |^\s+[~+-]{1,2} ?\w/.test(l))
    .join("\n");
}

/** Where in exported state each of `values` stands in plaintext: `<urn> <field path>`. */
export function plaintextAt(state: StateResource[], values: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (v: unknown, where: string) => {
    if (typeof v === "string") {
      if (values.some((s) => v.includes(s))) found.push(where);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
    }
  };
  for (const r of state) walk(r, r.urn);
  return found;
}

/** The images a Dockerfile starts from (`FROM <image> [AS <stage>]`), not its own stages. */
export function baseImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const [, image, stage] of dockerfile.matchAll(
    /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim,
  )) {
    if (!stages.has(image.toLowerCase())) images.push(image);
    if (stage) stages.add(stage.toLowerCase());
  }
  return images;
}
