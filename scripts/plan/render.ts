/**
 * A plan as Markdown, for a terminal or a pull-request comment: per stack a summary line like
 * `pulumi preview`'s ("1 to create, 0 to change, 0 to delete") and a `diff` block, one line per
 * resource with its type, name and the inputs that matter, changed fields indented under `~`.
 * Pure and sorted: the same plans give the same bytes.
 */
import { counts, type FieldChange, type StackDiff } from "./diff";
import { SECRET_TEXT } from "./fields";

/** What a stack's section shows: its diff, or why there is none. */
export type StackResult =
  | { readonly stack: string; readonly diff: StackDiff }
  | { readonly stack: string; readonly error: string };

export interface Document {
  /** The git ref compared against, and the commit it named; absent for a plain plan. */
  readonly base?: { readonly ref: string; readonly commit: string };
  readonly stacks: StackResult[];
}

export function renderDocument(doc: Document): string {
  const intro = doc.base
    ? `Each stack evaluated under Pulumi's mock runtime, this change against \`${doc.base.ref}\` (${doc.base.commit.slice(0, 12)}).`
    : "Each stack evaluated under Pulumi's mock runtime, as a preview of a new stack shows it.";
  const sections = doc.stacks.map((s) =>
    "error" in s ? renderError(s.stack, s.error) : renderStack(s.diff),
  );
  return [
    "## Pulumi plan",
    "",
    intro,
    "Secrets print as `[secret]`; engine-computed values (image IDs, generated names) are the mock's stand-ins.",
    "",
    ...sections,
  ].join("\n");
}

export function renderStack(d: StackDiff): string {
  const c = counts(d);
  const heading =
    c.create + c.update + c.delete === 0
      ? `### \`${d.stack}\`: no changes`
      : `### \`${d.stack}\`: ${c.create} to create, ${c.update} to change, ${c.delete} to delete`;
  const lines = d.resources.flatMap((r) => {
    const head = `${r.resource.type} ${r.resource.name}`;
    switch (r.op) {
      case "create":
        return [`+ ${withSummary(head, r.resource.summary)}`];
      case "delete":
        return [`- ${withSummary(head, r.resource.summary)}`];
      case "update":
        return [`~ ${head}`, ...r.changes.map((f) => `      ${fieldLine(f)}`)];
    }
  });
  const out = [heading, ""];
  if (lines.length > 0) out.push(...fenced("diff", lines), "");
  if (d.outputs.length > 0) {
    out.push("Outputs:", "", ...fenced("diff", d.outputs.map(outputLine)), "");
  }
  return out.join("\n");
}

function renderError(stack: string, error: string): string {
  return [
    `### \`${stack}\`: the program failed`,
    "",
    ...fenced("text", error.split("\n")),
    "",
  ].join("\n");
}

function withSummary(head: string, summary: string): string {
  return summary === "" ? head : `${head}  ${summary}`;
}

/** `path: old → new`; a secret only says that it changed. */
export function fieldLine(f: FieldChange): string {
  if (f.before === undefined) return `${f.path}: (none) → ${f.after}`;
  if (f.after === undefined) return `${f.path}: ${f.before} → (none)`;
  if (f.secret && f.before === SECRET_TEXT && f.after === SECRET_TEXT) {
    return `${f.path}: ${SECRET_TEXT} (changed)`;
  }
  return `${f.path}: ${f.before} → ${f.after}`;
}

function outputLine(f: FieldChange): string {
  const op = f.before === undefined ? "+" : f.after === undefined ? "-" : "~";
  return `${op} ${op === "~" ? fieldLine(f) : `${f.path}: ${f.after ?? f.before}`}`;
}

/** A code block whose fence no line can close early. */
function fenced(lang: string, lines: string[]): string[] {
  const longest = Math.max(
    2,
    ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((m) => m.length))),
  );
  const fence = "`".repeat(longest + 1);
  return [`${fence}${lang}`, ...lines, fence];
}
