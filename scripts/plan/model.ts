/**
 * A stack's plan: every resource the program registers, redacted and flattened, with the engine's
 * identity for each (so two plans can be compared the way `pulumi preview` compares them), and the
 * stack outputs. This is all that leaves the process that evaluated the program.
 */
import type { ProgramRun, Registration } from "../evaluate";
import { SECRET_TEXT, digest, flatten, type Fields } from "./fields";
import { summarize } from "./summary";

export interface PlannedResource {
  /** The engine's identity: its type qualified by its parents' types, and its name (as in a URN). */
  readonly id: string;
  /** The type as `pulumi preview` prints it (`docker:index:Container`). */
  readonly type: string;
  readonly name: string;
  /** The inputs that matter, on one line. */
  readonly summary: string;
  readonly fields: Fields;
}

export interface StackPlan {
  readonly stack: string;
  /** Sorted by type, then name, then identity. */
  readonly resources: PlannedResource[];
  readonly outputs: Fields;
}

/** A field a resource option adds beside its inputs (a reviewer should see data kept or not). */
export const RETAIN_FIELD = "(retainOnDelete)";

export function toStackPlan(stack: string, run: ProgramRun): StackPlan {
  const resources = run.registrations.map(plannedResource).sort(byDisplay);
  // A secret output is one `[secret]`, as `pulumi preview` shows it, however deep its value.
  const plain = flatten(
    Object.fromEntries(
      Object.entries(run.outputs)
        .filter(([, o]) => !o.secret)
        .map(([k, o]) => [k, o.value]),
    ),
  );
  const secret = Object.entries(run.outputs).filter(([, o]) => o.secret);
  const outputs: Fields = {
    shown: { ...plain.shown, ...Object.fromEntries(secret.map(([k]) => [k, SECRET_TEXT])) },
    secretDigests: {
      ...plain.secretDigests,
      ...Object.fromEntries(secret.map(([k, o]) => [k, digest(o.value)])),
    },
  };
  return { stack, resources, outputs };
}

function plannedResource(r: Registration): PlannedResource {
  const flat = flatten(r.inputs);
  const fields: Fields = r.retainOnDelete
    ? { shown: { ...flat.shown, [RETAIN_FIELD]: "true" }, secretDigests: flat.secretDigests }
    : flat;
  return {
    id: `${qualifiedType(r.parent, r.type)}::${r.name}`,
    type: displayType(r.type),
    name: r.name,
    summary: [summarize(r.type, flat.shown), r.retainOnDelete ? "retainOnDelete" : ""]
      .filter((s) => s !== "")
      .join(" "),
    fields,
  };
}

/** `docker:index/container:Container` → `docker:index:Container`, as the CLI shows types. */
export function displayType(type: string): string {
  return type.replace(/^([^:]+):index\/[^:]+:/, "$1:index:");
}

/**
 * The type part of the resource's URN: its parents' types joined by `$`, then its own, the stack
 * itself left out. A component renamed or re-parented is a different resource to the engine.
 */
export function qualifiedType(parentUrn: string, type: string): string {
  const parts = parentUrn.split("::");
  const parentType = parts.length >= 4 ? parts[2] : "";
  return parentType === "" || parentType.endsWith("pulumi:pulumi:Stack")
    ? type
    : `${parentType}$${type}`;
}

function byDisplay(a: PlannedResource, b: PlannedResource): number {
  return compare(a.type, b.type) || compare(a.name, b.name) || compare(a.id, b.id);
}

/** Code-unit order: the same everywhere, whatever the locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
