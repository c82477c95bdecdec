import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layer rules of docs/architecture.md, checked on the source itself: a use-case that imports
 * the composition root, or a connector that imports app/, fails here rather than in a review.
 * Type-only imports count for circles (a `type Services` import from runtime/ is what tied 18 files
 * into one circle) but not for the domain's purity (types are erased).
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE_DIRS = ["app", "connectors", "cli", "db", "scripts"];

interface Edge {
  to: string;
  typeOnly: boolean;
  dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(abs, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /\.test\.tsx?$/.test(entry.name) || entry.name.endsWith(".d.ts")) continue;
    out.push(path.relative(ROOT, path.join(entry.parentPath, entry.name)));
  }
  return out;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    return !!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** Resolved imports of one file: repo-relative paths for local modules, the bare name for packages. */
function importsOf(file: string): Edge[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const add = (specifier: string, typeOnly: boolean, dynamic: boolean) => {
    if (!specifier.startsWith(".")) {
      edges.push({ to: specifier, typeOnly, dynamic });
      return;
    }
    const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier));
    // React Router's generated route types (./+types/…) live outside the source tree.
    if (target.includes("+types")) return;
    edges.push({ to: target, typeOnly, dynamic });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, isTypeOnly(node), false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const files = SOURCE_DIRS.flatMap(sourceFiles);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Strongly connected components with more than one file (Tarjan), over static imports. */
function circles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strongConnect = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const e of graph.get(v) ?? []) {
      if (e.dynamic || !graph.has(e.to)) continue;
      if (!idx.has(e.to)) {
        strongConnect(e.to);
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
      } else if (onStack.has(e.to)) {
        low.set(v, Math.min(low.get(v)!, idx.get(e.to)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) strongConnect(f);
  return found;
}

/** "from → to" for every import of a file under `from` that breaks `allowed`. */
function violations(fromPrefix: string, allowed: (e: Edge) => boolean): string[] {
  const out: string[] = [];
  for (const [file, edges] of graph) {
    if (!file.startsWith(fromPrefix)) continue;
    for (const e of edges) if (!allowed(e)) out.push(`${file} → ${e.to}`);
  }
  return out;
}

const under = (dir: string) => (e: Edge) => e.to.startsWith(dir);

describe("import rules (docs/architecture.md, Layers)", () => {
  it("finds the source it checks", () => {
    // A broken walk (wrong root, no files) would make every rule below pass vacuously.
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get("app/.server/runtime/services.ts")?.some((e) => e.to === "app/.server/ports.ts")).toBe(true);
  });

  it("has no import circle", () => {
    expect(circles()).toEqual([]);
  });

  it("use-cases, domain, db, jobs, crypto, mail, http and auth never import the composition root (runtime/)", () => {
    const below = ["use-cases", "domain", "db", "jobs", "crypto", "mail", "http", "auth", "import"].map((d) => `app/.server/${d}/`);
    const bad = below.flatMap((dir) => violations(dir, (e) => !under("app/.server/runtime/")(e)));
    expect(bad).toEqual([]);
  });

  it("ports.ts imports nothing of runtime/", () => {
    expect(violations("app/.server/ports.ts", (e) => !under("app/.server/runtime/")(e))).toEqual([]);
  });

  it("connectors never import app/", () => {
    expect(violations("connectors/", (e) => !under("app/")(e))).toEqual([]);
  });

  it("server code never imports routes or components", () => {
    expect(violations("app/.server/", (e) => !under("app/routes/")(e) && !under("app/components/")(e))).toEqual([]);
  });

  it("the domain's code imports only the domain and pure libraries (types may come from anywhere)", () => {
    const pure = new Set(["zod", "bowser", "ipaddr.js"]);
    expect(violations("app/.server/domain/", (e) => e.typeOnly || under("app/.server/domain/")(e) || pure.has(e.to))).toEqual([]);
  });

  it("use-cases reach the database through repositories, not the query builder's engines", () => {
    const engines = new Set(["better-sqlite3", "pg", "ioredis", "bullmq", "nodemailer"]);
    expect(violations("app/.server/use-cases/", (e) => !engines.has(e.to))).toEqual([]);
  });
});
