/**
 * The layout's promise, checked on the source: the finding domain (src/domain/)
 * knows no adapter, and the review core (src/core/) knows neither GitHub nor the
 * job machinery nor a front end. Imports are followed transitively, so a pure
 * module that starts importing an adapter fails here, not only a direct import.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../../src");

/** Relative imports (`import`, `export … from`, `import()`), type-only ones included: they couple just the same. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")));
}

/** Every src file reachable from `roots`, with the chain that reached it. */
function reachable(roots: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue: Array<[string, string[]]> = roots.map((r) => [r, [relative(SRC, r)]]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [file, chain] = next;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.set(file, chain);
    for (const imported of importsOf(file)) queue.push([imported, [...chain, relative(SRC, imported)]]);
  }
  return seen;
}

const filesIn = (dir: string) => (existsSync(join(SRC, dir)) ? readdirSync(join(SRC, dir)).filter((f) => f.endsWith(".ts")).map((f) => join(SRC, dir, f)) : []);

/** The chains from `dir` into any of `forbidden` (top-level folders or files of src/). */
function violations(dir: string, forbidden: string[]): string[] {
  return [...reachable(filesIn(dir))]
    .filter(([file]) => forbidden.some((f) => relative(SRC, file) === f || relative(SRC, file).startsWith(`${f}/`)))
    .map(([, chain]) => chain.join(" → "));
}

const ADAPTERS = ["github", "engine", "events", "jobs", "cli", "commands", "http", "ops", "spend", "setup", "server.ts", "main.ts", "index.ts", "metrics.ts"];

describe("layering", () => {
  it("finds the folders it guards (a rename would otherwise pass it vacuously)", () => {
    expect(filesIn("domain").length).toBeGreaterThan(3);
    expect(filesIn("core").length).toBeGreaterThan(0);
  });

  it("src/domain/ imports no adapter, directly or through another module", () => {
    expect(violations("domain", ADAPTERS)).toEqual([]);
  });

  it("src/core/ imports neither GitHub, the jobs, nor a front end (app, CLI, commands)", () => {
    expect(violations("core", ["github", "events", "jobs", "cli", "commands", "http", "setup", "server.ts", "main.ts", "index.ts"])).toEqual([]);
  });

  it("reports the chain that breaks the rule", () => {
    // The checker itself: a module known to reach GitHub is reported with its chain.
    const chains = [...reachable(filesIn("review"))].filter(([file]) => relative(SRC, file).startsWith("github/"));
    expect(chains.length).toBeGreaterThan(0);
  });
});
