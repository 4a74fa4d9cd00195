/**
 * The rule stage on a 3,000-file change: parse (tree-sitter) and every rule, wall
 * and CPU time, and peak RSS; beside it, in the same run, the stages the pipeline
 * already runs on the same files (patch parsing, redaction) as the reference.
 * Target (issue 19): under 5 s and 300 MB.
 *
 *   npx tsx bench/rules-large.ts [--tree <dir of real code>] [--files 3000]
 *
 * Without `--tree` the change is the rule fixtures' real `git diff` patches, each
 * replayed under new paths until there are `--files` files. With `--tree`, the
 * directory's Python files, each as if added whole (see scripts/rules-history.ts).
 * Prints figures; asserts nothing.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { toFileDiff } from "../src/diff/parse-patch.js";
import { redactFileDiff } from "../src/diff/redact.js";
import type { ChangedFile } from "../src/diff/types.js";
import { runRules } from "../src/rules/index.js";
import { CASES } from "../test/unit/rules/load-fixture.js";

const FIXTURES = join(import.meta.dirname, "../test/fixtures/diffs");

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The fixtures' files under fresh directories until there are `count`. */
function fixtureChange(count: number): ChangedFile[] {
  const files = CASES.flatMap((c) => c.files.filter((f) => f.patch !== null));
  return Array.from({ length: count }, (_, i) => {
    const f = files[i % files.length];
    if (!f?.patch) throw new Error("no fixture patches");
    return { path: f.path.replace(/^backend\//, `backend/copy${Math.floor(i / files.length)}/`), status: f.status, additions: f.additions, deletions: f.deletions, patch: readFileSync(join(FIXTURES, f.patch), "utf8") };
  });
}

/** A directory's Python files as added files, cycled until there are `count`. */
function treeChange(dir: string, count: number): ChangedFile[] {
  const paths: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && p.endsWith(".py") && st.size < 1_000_000) paths.push(p);
    }
  };
  walk(dir);
  return Array.from({ length: Math.min(count, paths.length) }, (_, i) => {
    const p = paths[i] ?? "";
    const lines = readFileSync(p, "utf8").replace(/\n$/, "").split("\n");
    return { path: relative(dir, p), status: "added", additions: lines.length, deletions: 0, patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}` };
  });
}

function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

/** Runs the bench and prints one line per stage. */
export function benchRulesLarge(): void {
  const count = Number(option("--files") ?? 3000);
  const tree = option("--tree");
  const files = tree ? treeChange(tree, count) : fixtureChange(count);
  const lines = files.reduce((n, f) => n + f.additions + f.deletions, 0);
  const parse = timed(() => files.map(toFileDiff));
  const redact = timed(() => parse.value.map((d) => redactFileDiff(d).file));
  const rules = timed(() => runRules(parse.value));
  const again = timed(() => runRules(parse.value));
  const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;
  const row = (name: string, t: { wallMs: number; cpuMs: number }): string => `${name.padEnd(34)} wall ${String(Math.round(t.wallMs)).padStart(6)} ms   cpu ${String(Math.round(t.cpuMs)).padStart(6)} ms`;
  console.log(`Rule stage on ${files.length} files, ${lines} changed lines (${tree ? `tree ${tree}` : "rule fixtures replayed"}):`);
  console.log(row("parse patches (reference)", parse));
  console.log(row("redact for the model (reference)", redact));
  console.log(row("runRules: trees + every rule", rules));
  console.log(row("runRules again (warm JIT)", again));
  console.log(`findings ${rules.value.length}; peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}, heap now ${mb(process.memoryUsage().heapUsed)} (target: 5 s, 300 MB)`);
}

if (process.argv[1]?.endsWith("rules-large.ts")) benchRulesLarge();
