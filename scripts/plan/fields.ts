/**
 * A resource's inputs as flat `path → text` fields, the unit a plan prints and diffs. Secret values
 * become `[secret]` here, before anything else sees them; only a digest of each is kept, to tell
 * whether it changed. Lists are keyed by what identifies their items (an env var's name, a port's
 * name, a mounted file's path), so adding one item shows as one added field, not a shifted list.
 */
import * as crypto from "crypto";
import { SECRET_SIG } from "../evaluate";

/** Printable fields, and a compare-only digest for each secret one (never printed). */
export interface Fields {
  readonly shown: Record<string, string>;
  readonly secretDigests: Record<string, string>;
}

export const SECRET_TEXT = "[secret]";
/** What the engine sends for a value not known until apply (the SDK's `unknownValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Longer strings (file contents, policies) print as a line count and a content hash. */
const MAX_TEXT = 100;
/** Item fields that identify an item of a list, most specific first. */
const ITEM_KEYS = [
  "name",
  "label",
  "file",
  "containerPath",
  "mountPath",
  "internal",
  "containerPort",
  "key",
  "path",
];
/** `NAME=value`, as Docker's `envs` list holds environment variables. */
const ENV_ENTRY = /^([A-Za-z_][A-Za-z0-9_]*)=/s;

export function digest(value: unknown): string {
  return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 8);
}

/** Flattens serialized resource inputs (secret envelopes included) into fields. */
export function flatten(inputs: Record<string, unknown>): Fields {
  const shown: Record<string, string> = {};
  const secretDigests: Record<string, string> = {};
  const leaf = (path: string, value: unknown, secret: boolean) => {
    if (secret) {
      shown[path] = SECRET_TEXT;
      secretDigests[path] = digest(value);
    } else {
      shown[path] = text(value);
    }
  };
  const walk = (path: string, value: unknown, secret: boolean): void => {
    if (isEnvelope(value)) return walk(path, value.value, true);
    if (Array.isArray(value)) return walkList(path, value, secret);
    if (value !== null && typeof value === "object") {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) return leaf(path, value, secret);
      for (const [k, v] of entries) walk(join(path, k), v, secret);
      return;
    }
    leaf(path, value, secret);
  };
  const walkList = (path: string, list: unknown[], secret: boolean): void => {
    const plain = list.map((v) => (isEnvelope(v) ? v.value : v));
    const envNames = plain.map((v) => (typeof v === "string" ? ENV_ENTRY.exec(v)?.[1] : undefined));
    if (list.length > 0 && unique(envNames)) {
      // An env var's name is code, never a credential: it shows even when the value is secret.
      list.forEach((v, i) => {
        const entrySecret = secret || isEnvelope(v);
        const s = plain[i] as string;
        leaf(`${path}[${envNames[i]}]`, s.slice(envNames[i]!.length + 1), entrySecret);
      });
      return;
    }
    const itemKey = ITEM_KEYS.find((k) =>
      unique(plain.map((v) => (isObject(v) && isKeyValue(v[k]) ? String(v[k]) : undefined))),
    );
    if (list.length > 0 && itemKey) {
      list.forEach((v, i) => {
        const item = plain[i] as Record<string, unknown>;
        const rest = Object.fromEntries(Object.entries(item).filter(([k]) => k !== itemKey));
        const at = `${path}[${String(item[itemKey])}]`;
        if (Object.keys(rest).length === 0) leaf(at, item[itemKey], secret || isEnvelope(v));
        else walk(at, rest, secret || isEnvelope(v));
      });
      return;
    }
    if (plain.every((v) => v === null || typeof v !== "object")) {
      // A command or a list of names reads best whole.
      return leaf(path, list, secret || list.some(isEnvelope));
    }
    list.forEach((v, i) => walk(`${path}[${i}]`, v, secret));
  };
  for (const [k, v] of Object.entries(inputs)) {
    // A dynamic resource's serialized provider is compiled code, not configuration: it differs
    // with how the program was compiled, and would only add noise to a diff.
    if (k !== "__provider") walk(k, v, false);
  }
  return { shown, secretDigests };
}

/** A value as a reviewer reads it; long or multi-line text as its size and a content hash. */
export function text(value: unknown): string {
  if (value === UNKNOWN) return "(known after apply)";
  if (value === undefined) return "(none)";
  if (typeof value === "string") {
    if (value.includes("\n") || value.length > MAX_TEXT) {
      const lines = value.replace(/\n$/, "").split("\n").length;
      const size = lines > 1 ? `${lines} lines` : `${value.length} characters`;
      return `<${size}, #${digest(value)}>`;
    }
    return value === "" ? '""' : value;
  }
  const json = JSON.stringify(value);
  if (typeof value === "object" && value !== null && json.length > MAX_TEXT) {
    return `<${Array.isArray(value) ? `${value.length} items` : "object"}, #${digest(value)}>`;
  }
  return json;
}

function isEnvelope(v: unknown): v is { value: unknown } {
  return isObject(v) && SECRET_SIG in v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isKeyValue(v: unknown): boolean {
  return (typeof v === "string" && v !== "") || typeof v === "number";
}

/** Every entry defined and no two alike. */
function unique(keys: (string | undefined)[]): boolean {
  return keys.every((k) => k !== undefined) && new Set(keys).size === keys.length;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
