import { z } from "zod";

/**
 * The kinds of value a config key can hold, as zod schemas: each parses what the CLI hands over
 * (numbers and booleans may come as text), applies the key's default when it is unset, and gives
 * every failure one message saying what is allowed (the loader adds the key and the value).
 */

/** The CLI stores numbers as text, so "5" counts as 5. */
const numeric = (v: unknown) =>
  typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
/** A format check runs only on a value of the right type, so each bad key gets one message. */
const typed = { when: (p: { issues: readonly unknown[] }) => p.issues.length === 0 };
/**
 * What a string key allows beyond being a string, the test of it, and its kind as the config
 * reference names it (e.g. "host name").
 */
export type Format = readonly [allowed: string, ok: (s: string) => unknown, kind?: string];

/**
 * What the config reference says of a key: generated into docs/configuration.md and Pulumi.yaml
 * (`npm run docs`), read from the schema, where each key is declared.
 */
export interface KeyDoc {
  /** What it holds, briefly: the reference's Type column ("integer 0–64", "host name"). */
  readonly kind?: string;
  /** What it does: the reference's Meaning column (Markdown). */
  readonly description?: string;
  /** What applies while it is unset, for a key without a default ("the cluster's default"). */
  readonly unset?: string;
  /** Pulumi.yaml's comment beside its default (a section's: its `description`), plain text. */
  readonly note?: string;
}

/** A key's documentation, from every layer of its schema (default, optional, pipe), outer first. */
export function docOf(schema: z.ZodType): KeyDoc {
  const layers: z.ZodType[] = [];
  const walk = (t: z.ZodType | undefined) => {
    if (!t || layers.includes(t)) return;
    layers.push(t);
    const def = t._zod.def as { innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
    walk(def.innerType);
    walk(def.in);
    walk(def.out);
  };
  walk(schema);
  return Object.assign(
    {},
    ...layers.reverse().map((t) => (z.globalRegistry.get(t) ?? {}) as KeyDoc),
  ) as KeyDoc;
}

/** `field`, documented: what it does, and anything else the reference should say of it. */
export function about<T extends z.ZodType>(
  field: T,
  description: string,
  more: Omit<KeyDoc, "description"> = {},
): T {
  return field.meta({ ...docOf(field), description, ...more }) as T;
}

export const flag = () =>
  z
    .preprocess(
      (v) => (v === "true" || v === "false" ? v === "true" : v),
      z.boolean("true or false"),
    )
    .meta({ kind: "boolean" });

export function whole(min: number, max: number, fallback: number, why?: string) {
  const m = `a whole number from ${min} to ${max}${why ? ` (${why})` : ""}`;
  return z
    .preprocess(numeric, z.number(m).multipleOf(1, m).min(min, m).max(max, m))
    .default(fallback)
    .meta({ kind: `integer ${min}–${max}` });
}

/** Steps of 0.1 keep Kubernetes millicores exact; Docker refuses more CPUs than the host has. */
const CPUS = "a number of CPUs from 0.1 to 64 in steps of 0.1, such as 0.5, 1 or 2";
export const cpus = (fallback: number) =>
  z
    .preprocess(numeric, z.number(CPUS).min(0.1, CPUS).max(64, CPUS).multipleOf(0.1, CPUS))
    .default(fallback)
    .meta({ kind: "cores 0.1–64" });

const NON_EMPTY = "a non-empty string";
export const text = (fallback: string, [allowed, ok, kind]: Format = ["", () => true]) =>
  z
    .string(NON_EMPTY)
    .regex(/\S/, NON_EMPTY)
    .refine(ok, { error: allowed, ...typed })
    .default(fallback)
    .meta({ kind: kind ?? "string" });

/** Unset, or "" (what `pulumi config set key ""` stores): the key's documented fallback applies. */
export const optionalText = ([allowed, ok, kind]: Format = ["", () => true], blank = /(?:)/) =>
  z
    .string("a string")
    .refine((s) => s === "" || blank.test(s), NON_EMPTY)
    .refine((s) => s === "" || ok(s), { error: allowed, ...typed })
    .transform((s) => s || undefined)
    .optional()
    .meta({ kind: kind ?? "string" });

/** A list of strings; `problem` says what an item must be, or "" when it is fine. */
export const list = (
  fallback: string[],
  problem: (item: string, i: number, all: string[]) => string,
  kind = "list of strings",
) =>
  z
    .custom<string[]>((v) => Array.isArray(v) && v.every((s) => typeof s === "string"), {
      error: "a list of strings",
      abort: false, // so the rules between keys still run
    })
    .superRefine((all, ctx) => {
      for (const [i, item] of all.entries()) {
        const message = problem(item, i, all);
        if (message) ctx.addIssue({ code: "custom", message, path: [i] });
      }
    }, typed)
    .default(fallback)
    .meta({ kind });

/** An object-valued key; a field it leaves out gets its default, an unknown field is a typo. */
export const section = <S extends z.ZodRawShape>(shape: S) =>
  z
    .strictObject(shape, {
      error: (iss) =>
        iss.code === "invalid_type"
          ? `an object (set its fields with: pulumi config set --path ${iss.path?.join(".")}.<field> <value>)`
          : undefined,
    })
    .prefault({} as z.input<z.ZodObject<S>>);
