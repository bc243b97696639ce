/**
 * What `pulumi preview` would report between two plans of a stack: resources created, deleted, or
 * changed (with each changed field), matched by the engine's identity; and changed outputs.
 */
import type { Fields } from "./fields";
import { compare, type PlannedResource, type StackPlan } from "./model";

export interface FieldChange {
  readonly path: string;
  /** Printed values; `undefined` where the field is absent on that side. */
  readonly before?: string;
  readonly after?: string;
  /** A secret changed: both sides print `[secret]`, so the line says "changed" instead. */
  readonly secret: boolean;
}

export interface ResourceChange {
  readonly op: "create" | "update" | "delete";
  readonly resource: PlannedResource;
  /** For updates: the fields that differ, sorted by path. */
  readonly changes: FieldChange[];
}

export interface StackDiff {
  readonly stack: string;
  /** In the plans' display order (type, name), creates, updates and deletes mixed. */
  readonly resources: ResourceChange[];
  readonly outputs: FieldChange[];
}

/** `base` undefined: everything in `head` is created (a plan against an empty stack). */
export function diffPlans(base: StackPlan | undefined, head: StackPlan): StackDiff {
  const before = new Map((base?.resources ?? []).map((r) => [r.id, r]));
  const after = new Map(head.resources.map((r) => [r.id, r]));
  const resources: ResourceChange[] = [];
  for (const r of head.resources) {
    const old = before.get(r.id);
    if (!old) {
      resources.push({ op: "create", resource: r, changes: [] });
      continue;
    }
    const changes = diffFields(old.fields, r.fields);
    if (changes.length > 0) resources.push({ op: "update", resource: r, changes });
  }
  for (const r of base?.resources ?? []) {
    if (!after.has(r.id)) resources.push({ op: "delete", resource: r, changes: [] });
  }
  resources.sort(
    (a, b) =>
      compare(a.resource.type, b.resource.type) ||
      compare(a.resource.name, b.resource.name) ||
      compare(a.resource.id, b.resource.id),
  );
  const noOutputs: Fields = { shown: {}, secretDigests: {} };
  return {
    stack: head.stack,
    resources,
    outputs: diffFields(base?.outputs ?? noOutputs, head.outputs),
  };
}

/** Fields added, removed or changed (a secret by its digest), sorted by path. */
export function diffFields(a: Fields, b: Fields): FieldChange[] {
  const paths = [...new Set([...Object.keys(a.shown), ...Object.keys(b.shown)])].sort(compare);
  const out: FieldChange[] = [];
  for (const path of paths) {
    const before = a.shown[path];
    const after = b.shown[path];
    const secretChanged =
      before !== undefined &&
      after !== undefined &&
      a.secretDigests[path] !== b.secretDigests[path];
    if (before !== after || secretChanged) {
      out.push({
        path,
        before,
        after,
        secret: path in a.secretDigests || path in b.secretDigests,
      });
    }
  }
  return out;
}

export function counts(d: StackDiff): { create: number; update: number; delete: number } {
  const n = (op: ResourceChange["op"]) => d.resources.filter((r) => r.op === op).length;
  return { create: n("create"), update: n("update"), delete: n("delete") };
}
