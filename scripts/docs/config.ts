/**
 * The config reference, from the schema where each key is declared (components/config/schema.ts):
 * docs/configuration.md's table, and Pulumi.yaml's `config:` block that gives the CLI each key's
 * default and description.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import type { z } from "zod";
import { docOf, type KeyDoc } from "../../components/config/fields";
import { LabSchema, shape } from "../../components/config/schema";

/** One settable key: its path (`spark.workers`), schema, documentation and default. */
export interface ConfigKey {
  readonly key: string;
  readonly schema: z.ZodType;
  readonly doc: KeyDoc;
  /** Its default, or undefined for a key that has none (its `unset` says what applies). */
  readonly fallback: unknown;
}

/** The fields of a section key (an object), or undefined for a scalar key. */
function fieldsOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; shape?: object };
  if (def.type === "object") return def.shape as Record<string, z.ZodType>;
  return def.type === "prefault" ? fieldsOf(def.innerType!) : undefined;
}

/** The schema's values where nothing is set: what each key defaults to. */
const parsedDefaults = LabSchema.parse({}) as Record<string, unknown>;

/** Every key a stack can set, in the schema's order, sections expanded. */
export function configKeys(): ConfigKey[] {
  return Object.entries(shape).flatMap(([name, schema]): ConfigKey[] => {
    const fields = fieldsOf(schema);
    if (!fields) {
      return [{ key: name, schema, doc: docOf(schema), fallback: parsedDefaults[name] }];
    }
    return Object.entries(fields).map(([field, s]) => ({
      key: `${name}.${field}`,
      schema: s,
      doc: docOf(s),
      // An optional key has no default of its own (kafkaUi.enabled's is derived).
      fallback: hasDefault(s)
        ? (parsedDefaults[name] as Record<string, unknown>)[field]
        : undefined,
    }));
  });
}

function hasDefault(schema: z.ZodType): boolean {
  const def = schema._zod.def as { type: string };
  return def.type === "default";
}

/** The section docs of the object keys (their Pulumi.yaml description). */
function sectionNote(name: string): string {
  return docOf(shape[name as keyof typeof shape] as z.ZodType).note ?? "";
}

/** What the key holds: its enum's values, or the kind its field declared. */
function kindOf(k: ConfigKey): string {
  const def = k.schema._zod.def as { type: string; innerType?: z.ZodType; entries?: object };
  const inner = def.type === "default" ? (def.innerType!._zod.def as { entries?: object }) : def;
  if (inner.entries)
    return Object.keys(inner.entries)
      .map((e) => `\`${e}\``)
      .join(" \\| ");
  if (!k.doc.kind) throw new Error(`config key ${k.key} declares no kind`);
  return k.doc.kind;
}

/** What each stack's file sets, as `key` → value (`images.registry` → "localhost:5001"). */
export function stackSettings(
  root: string,
  project: string,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const file of fs
    .readdirSync(root)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .sort()) {
    const stack = file.split(".")[1];
    const config =
      (yaml.load(fs.readFileSync(path.join(root, file), "utf8")) as { config?: object }).config ??
      {};
    for (const [k, v] of Object.entries(config)) {
      if (!k.startsWith(`${project}:`)) continue;
      const name = k.slice(project.length + 1);
      const set = v && typeof v === "object" && !Array.isArray(v) ? v : { "": v };
      for (const [field, value] of Object.entries(set)) {
        const key = field ? `${name}.${field}` : name;
        (out[key] ??= {})[stack] = value;
      }
    }
  }
  return out;
}

const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;

/** docs/configuration.md's table: key, kind, default (and each stack's own), meaning. */
export function referenceTable(
  keys: ConfigKey[],
  stacks: Record<string, Record<string, unknown>>,
): string {
  const rows = keys.map((k) => {
    if (!k.doc.description) throw new Error(`config key ${k.key} has no description (about())`);
    const own = Object.entries(stacks[k.key] ?? {})
      .map(([stack, v]) => `\`${stack}\` stack: ${code(v)}`)
      .join(", ");
    const fallback =
      k.fallback !== undefined ? code(k.fallback) : `unset${k.doc.unset ? `: ${k.doc.unset}` : ""}`;
    const dflt = own ? `${fallback} (${own})` : fallback;
    return `| \`${k.key}\` | ${kindOf(k)} | ${dflt} | ${k.doc.description} |`;
  });
  return ["| Key | Type | Default | Meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** Plain text of a Markdown description, wrapped as YAML comment lines at `indent`. */
function comment(text: string, indent: string, width = 100): string[] {
  const plain = text.replace(/\[([^\]]+)\]\([^)]+\)/g, "$1");
  const lines: string[] = [];
  let line = "";
  for (const word of plain.split(/\s+/)) {
    if (line && indent.length + 2 + line.length + 1 + word.length > width) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(`${indent}# ${line}`);
  return lines;
}

const scalar = (v: unknown) => yaml.dump(v, { flowLevel: 0, lineWidth: -1 }).trim();

/** Pulumi.yaml's declarations of every key: its default and, as comments, what it does. */
export function pulumiConfig(keys: ConfigKey[]): string {
  const out: string[] = [];
  const sections = new Map<string, ConfigKey[]>();
  for (const k of keys) {
    const [name] = k.key.split(".");
    if (!k.key.includes(".")) {
      const type = typeof k.fallback === "boolean" ? "boolean" : "string";
      out.push(
        `  ${name}:`,
        `    type: ${type}`,
        `    default: ${scalar(k.fallback)}`,
        `    description: ${scalar(k.doc.note ?? k.doc.description)}`,
      );
    } else sections.set(name, [...(sections.get(name) ?? []), k]);
  }
  for (const [name, fields] of sections) {
    out.push(`  ${name}:`, `    description: ${scalar(sectionNote(name))}`);
    const set = fields.filter((f) => f.fallback !== undefined);
    out.push(`    value:${set.length ? "" : " {}"}`);
    for (const f of fields) {
      const field = f.key.slice(name.length + 1);
      out.push(...comment(f.doc.description!, "      "));
      const kind = kindOf(f).replace(/[`\\]/g, "");
      if (f.fallback === undefined) {
        const unset = f.doc.unset ? ` (unset: ${f.doc.unset.replace(/`/g, "")})` : "";
        out.push(`      # ${field}: ${kind}${unset}`);
      } else out.push(`      ${field}: ${scalar(f.fallback)} # ${kind}`);
    }
  }
  return out.join("\n") + "\n";
}
