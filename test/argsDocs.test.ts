import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * Every field of every exported `*Args` interface under components/ has a doc comment: the Args are
 * the components' public API, and an editor shows the comment where the field is used.
 */
const COMPONENTS = path.join(__dirname, "..", "components");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** `file: Interface.field` for each undocumented field of an exported `*Args` interface in `text`. */
export function undocumentedArgs(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  for (const node of source.statements) {
    if (!ts.isInterfaceDeclaration(node) || !node.name.text.endsWith("Args")) continue;
    if (!node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const member of node.members) {
      const documented = ts
        .getJSDocCommentsAndTags(member)
        .some((d) => ts.isJSDoc(d) && (d.comment ?? "") !== "");
      if (!documented) {
        missing.push(`${file}: ${node.name.text}.${member.name?.getText(source) ?? "?"}`);
      }
    }
  }
  return missing;
}

describe("component APIs", () => {
  it("every field of every exported *Args interface has a doc comment", () => {
    const files = sourceFiles(COMPONENTS);
    const args = files.filter((f) => /export interface \w+Args\b/.test(fs.readFileSync(f, "utf8")));
    // The scan must see the components' Args (a broken walk would pass vacuously).
    expect(args.length).toBeGreaterThanOrEqual(10);
    const missing = files.flatMap((f) =>
      undocumentedArgs(path.relative(COMPONENTS, f), fs.readFileSync(f, "utf8")),
    );
    expect(missing).toEqual([]);
  });

  it("the check finds an undocumented field, and accepts a documented one", () => {
    const text = [
      "export interface FooArgs {",
      "  /** Documented. */",
      "  readonly a: string;",
      "  readonly b: number;",
      "}",
      "interface PrivateArgs { readonly c: string }",
      "export interface NotArguments { readonly d: string }",
    ].join("\n");
    expect(undocumentedArgs("foo.ts", text)).toEqual(["foo.ts: FooArgs.b"]);
  });
});
