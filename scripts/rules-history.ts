/**
 * Per-rule precision as a number we keep: replays the deterministic rules over real
 * code and prints, per rule, how often it fires, with a sample of findings to label.
 *
 *   npx tsx scripts/rules-history.ts <repo> [--paths 'backend/**' ...] [--range A..B | --max 200] [--sample 5]
 *     each commit (first parent, no merges) diffed against its parent, restricted
 *     to the paths; the rules get the full head/base text of the changed files and
 *     the settings modules, as a review with the head snapshot would.
 *   npx tsx scripts/rules-history.ts --tree <dir> [--paths ...] [--sample 5]
 *     a source tree without history (a Debian package, a tarball): every file as
 *     if added in one change.
 *
 * Prints findings per 100 commits (history) or per 1,000 files (tree) for every rule.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import picomatch from "picomatch";
import { changedFiles } from "../src/cli/git-changes.js";
import { git } from "../src/cli/git.js";
import { toFileDiff } from "../src/diff/parse-patch.js";
import type { ChangedFile, FileDiff } from "../src/diff/types.js";
import { isPython, isSettingsFile } from "../src/rules/paths.js";
import { RULES, runRules, type FileSources } from "../src/rules/index.js";
import type { Finding } from "../src/domain/findings.js";

interface Args {
  target: string;
  tree: boolean;
  paths: string[];
  range?: string | undefined;
  max: number;
  sample: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { target: "", tree: false, paths: [], max: 200, sample: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const next = (): string => argv[++i] ?? "";
    if (a === "--tree") args.tree = true;
    else if (a === "--paths") args.paths.push(next());
    else if (a === "--range") args.range = next();
    else if (a === "--max") args.max = Number(next());
    else if (a === "--sample") args.sample = Number(next());
    else if (!a.startsWith("--")) args.target = a;
    else throw new Error(`unknown option ${a}`);
  }
  if (!args.target) throw new Error("usage: rules-history.ts <repo> | --tree <dir> [--paths glob] [--range A..B] [--max N] [--sample N]");
  return args;
}

/** A file as a pull request would list it when added whole. */
export function addedFile(path: string, text: string): ChangedFile {
  const lines = text.replace(/\n$/, "").split("\n");
  return { path, status: "added", additions: lines.length, deletions: 0, patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}` };
}

function walk(dir: string, root: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) walk(path, root, out);
    else if (st.isFile() && st.size < 1_000_000) out.push(relative(root, path));
  }
}

/** Every matching file of a directory as one change, with its full text as the head. */
export function treeChange(dir: string, paths: readonly string[]): { diffs: FileDiff[]; sources: Map<string, FileSources> } {
  const match = paths.length > 0 ? picomatch([...paths], { dot: true }) : () => true;
  const files: string[] = [];
  walk(dir, dir, files);
  const sources = new Map<string, FileSources>();
  const diffs = files
    .filter((p) => match(p) && (isPython(p) || /\.(html|txt|ya?ml|env|cfg|ini|toml|json)$/.test(p)))
    .sort()
    .map((p) => {
      const text = readFileSync(join(dir, p), "utf8");
      if (isPython(p)) sources.set(p, { head: text });
      return toFileDiff(addedFile(p, text));
    });
  return { diffs, sources };
}

/** Full head/base text of the changed Python files and the head's settings modules. */
async function commitSources(repo: string, parent: string, commit: string, files: ChangedFile[], paths: readonly string[]): Promise<Map<string, FileSources>> {
  const show = (rev: string, path: string): Promise<string | undefined> => git(repo, ["show", `${rev}:${path}`]).catch(() => undefined);
  const sources = new Map<string, FileSources>();
  for (const f of files.filter((x) => isPython(x.path))) {
    sources.set(f.path, { head: f.status === "removed" ? undefined : await show(commit, f.path), base: f.status === "added" ? undefined : await show(parent, f.previousPath ?? f.path) });
  }
  const inPaths = paths.length > 0 ? picomatch([...paths], { dot: true }) : () => true;
  const listed = await git(repo, ["ls-tree", "-r", "--name-only", commit]);
  for (const p of listed.split("\n").filter((x) => isSettingsFile(x) && inPaths(x) && !sources.has(x))) sources.set(p, { head: await show(commit, p) });
  return sources;
}

function report(findings: Array<Finding & { where: string; text: string }>, units: number, unit: string, sample: number): void {
  const byRule = new Map<string, typeof findings>();
  for (const f of findings) byRule.set(f.source, [...(byRule.get(f.source) ?? []), f]);
  const per = unit === "commits" ? 100 : 1000;
  console.log(`\n| rule | findings | per ${per} ${unit} |\n|---|---:|---:|`);
  for (const rule of RULES) {
    const n = byRule.get(`rule:${rule.id}`)?.length ?? 0;
    console.log(`| ${rule.id} | ${n} | ${((n * per) / Math.max(units, 1)).toFixed(1)} |`);
  }
  console.log(`\nTotal: ${findings.length} findings over ${units} ${unit}.\n\nSample to label (rule, place, line):`);
  for (const [rule, list] of byRule) {
    const step = Math.max(1, Math.floor(list.length / sample));
    for (const f of list.filter((_, i) => i % step === 0).slice(0, sample)) console.log(`- ${rule.slice(5)} ${f.where} ${f.path}:${f.side === "LEFT" ? "-" : ""}${f.line}  ${f.title}\n    ${f.text.trim().slice(0, 160)}`);
  }
}

function withText(diffs: FileDiff[], findings: Finding[], where: string): Array<Finding & { where: string; text: string }> {
  return findings.map((f) => {
    const line = diffs.find((d) => d.path === f.path)?.hunks.flatMap((h) => h.lines).find((l) => (f.side === "LEFT" ? l.kind !== "add" && l.oldLine === f.line : l.kind !== "del" && l.newLine === f.line));
    return { ...f, where, text: line?.text ?? "" };
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.tree) {
    const started = performance.now();
    const { diffs, sources } = treeChange(args.target, args.paths);
    const findings = runRules(diffs, {}, { sources });
    console.log(`Tree ${args.target}: ${diffs.length} files, rules in ${Math.round(performance.now() - started)} ms.`);
    report(withText(diffs, findings, "tree"), diffs.length, "files", args.sample);
    return;
  }
  const revs = (await git(args.target, ["rev-list", "--first-parent", "--no-merges", `--max-count=${args.max}`, args.range ?? "HEAD"])).split("\n").filter(Boolean);
  const all: Array<Finding & { where: string; text: string }> = [];
  let replayed = 0;
  for (const commit of revs) {
    const parent = (await git(args.target, ["rev-parse", "--verify", "--quiet", `${commit}^`]).catch(() => "")).trim();
    if (!parent) continue;
    const files = await changedFiles(args.target, { base: parent, head: commit }, args.paths);
    replayed++;
    if (files.length === 0) continue;
    const diffs = files.map(toFileDiff);
    const sources = await commitSources(args.target, parent, commit, files, args.paths);
    all.push(...withText(diffs, runRules(diffs, {}, { sources }), commit.slice(0, 9)));
  }
  console.log(`Replayed ${replayed} commits of ${args.target} (${args.range ?? "HEAD"}, paths ${args.paths.join(" ") || "all"}).`);
  report(all, replayed, "commits", args.sample);
}

await main();
