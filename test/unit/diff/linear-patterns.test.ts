/**
 * Every regular expression in src/ meets text a PR author or commenter wrote, so
 * each must run in linear time: a backtracking pattern on one long line holds the
 * event loop (webhooks, /healthz, every review) for minutes or hours.
 *
 * The patterns are not listed by hand: every regex literal in src/ is read from the
 * source with the TypeScript parser, so a new one is covered the day it is written.
 * Patterns built at run time (`new RegExp`) come from the builders their modules
 * export, and the test fails when a `new RegExp` appears that it does not know.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { commandPattern, parseCommand } from "../../../src/commands/parse-command.js";
import { quoteRequest } from "../../../src/commands/replies.js";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import { redactFileDiff, redactText } from "../../../src/diff/redact.js";
import { findSecrets, scanLines } from "../../../src/diff/secret-patterns.js";
import type { FileDiff } from "../../../src/diff/types.js";
import { readFindingData, readIgnored } from "../../../src/review/finding-marker.js";
import { normaliseLine, titleGist } from "../../../src/domain/fingerprint.js";
import { cell } from "../../../src/review/format.js";
import { createMarkerSigner } from "../../../src/review/marker-signer.js";
import { codeSpan, neutralise, neutraliseInline } from "../../../src/review/neutralise.js";
import { runRules } from "../../../src/rules/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const SRC = join(ROOT, "src");

/** The bound for one `exec`/`matchAll` on a 50,000-character input. */
const PATTERN_MS = 50;
/** A public function may call several patterns per line: generous, for a loaded 2-core machine. */
const FUNCTION_MS = 500;
const LENGTH = 50_000;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

interface Pattern {
  name: string;
  re: RegExp;
}

/** Every regex literal of src/, and the source text of every `new RegExp(...)`. */
function readPatterns(): { literals: Pattern[]; built: string[] } {
  const literals: Pattern[] = [];
  const built: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) => `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText();
        const end = text.lastIndexOf("/");
        literals.push({ name: `${where(node)} ${text}`, re: new RegExp(text.slice(1, end), text.slice(end + 1)) });
      }
      if (ts.isNewExpression(node) && node.expression.getText() === "RegExp") built.push(`${relative(ROOT, file)}: ${node.getText()}`);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { literals, built };
}

/** Patterns built at run time, from the builders their modules export (sample arguments). */
const BUILT: Pattern[] = [
  { name: "parse-command commandPattern", re: commandPattern("backend-agent") },
];
/** `new RegExp` sites and where their patterns are tested: the builders above, or the public function below. */
const KNOWN_BUILT = [
  "src/commands/parse-command.ts: new RegExp(`^ {0,3}/${escapeRegExp(name)}(?=\\\\s|$)(.*)$`, \"i\")",
  // readFindingData / readIgnored, run on the adversarial inputs below.
  "src/review/finding-marker.ts: new RegExp(`<!-- ${PREFIX}:finding-data (${SIGNED_TOKEN}) -->`)",
  "src/review/finding-marker.ts: new RegExp(`<!-- ${PREFIX}:ignored (${SIGNED_TOKEN}) -->`, \"g\")",
];

const KEY_HEADER = "-----BEGIN RSA PRIVATE KEY-----\n";
/** One character of each class the patterns care about, and pairs that feed their alternations. */
const UNITS = [
  "a", "Z", "7", "+", "/", "=", '"', "'", " ", "\t", "\\", "-", "_", ".", ":", "(", ")", ",", "#", "<", ">", "@", "{", "}",
  "[", "|", "%", "$", "*", "`", "~", "!", "\n", "\r", "é",
  "a ", "a.", "a=", "a:", "a-", "a,", "a@", "/a", ": a", "\\\"", "\\n", "+\\n", "{{", "{%", "|safe", "<!--", "Model ", "eval(", "a(", "_a",
];
/** What comes before the run: nothing, a key header, an open assignment, a type annotation, a call... */
const PREFIXES = ["", KEY_HEADER, 'password = "', "NAME=", "x: a", "class X(", "{{ x", "postgres://u:", "Comment:", "/backend-agent ask "];
/** With and without a character that makes the end of the run fail. */
const TAILS = ["", "!", "\u2028"];

interface Shape {
  prefix: string;
  unit: string;
  tail: string;
}

function shapes(tails = TAILS): Shape[] {
  return PREFIXES.flatMap((prefix) => UNITS.flatMap((unit) => tails.map((tail) => ({ prefix, unit, tail }))));
}

const make = (s: Shape, length: number): string => s.prefix + s.unit.repeat(Math.ceil(length / s.unit.length)) + s.tail;

function inputs(length: number): string[] {
  return shapes().map((s) => make(s, length));
}

/** CPU time in ms, not wall time: on a loaded machine the wall clock also counts the time other processes ran. */
function timeOf(run: () => unknown): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1_000;
}

function runPattern(re: RegExp, text: string): void {
  if (re.global) for (const match of text.matchAll(re)) void match;
  else re.exec(text);
}

/** Pattern × input pairs slower than `ms`, worst first (at most 10 per pattern). */
function slowPairs(patterns: Pattern[], texts: string[], ms: number): string[] {
  const slow: string[] = [];
  for (const { name, re } of patterns) {
    const times = texts.map((text) => ({ text, ms: timeOf(() => runPattern(re, text)) })).filter((t) => t.ms > ms);
    // A one-off pause (GC, another process) is not the pattern's: a slow pair must be slow twice.
    const confirmed = times.map((t) => ({ ...t, ms: Math.min(t.ms, timeOf(() => runPattern(re, t.text))) })).filter((t) => t.ms > ms);
    for (const t of confirmed.sort((a, b) => b.ms - a.ms).slice(0, 10)) {
      slow.push(`${Math.round(t.ms)} ms  ${name}  on ${JSON.stringify(t.text.slice(0, 40))}… (${t.text.length} chars)`);
    }
  }
  return slow;
}

const { literals, built } = readPatterns();

describe("every pattern in src/ runs in linear time", () => {
  it("knows every pattern built at run time", () => {
    expect(built.sort()).toEqual([...KNOWN_BUILT].sort());
    expect(literals.length).toBeGreaterThan(100);
  });

  it(`takes at most ${PATTERN_MS} ms for one exec/matchAll on ${LENGTH.toLocaleString("en")}-character adversarial inputs`, () => {
    const patterns = [...literals, ...BUILT];
    // Short inputs first: a cubic pattern takes hours on the long ones, and fails here in a second.
    const short = slowPairs(patterns, inputs(1_000), PATTERN_MS);
    expect(short).toEqual([]);
    expect(slowPairs(patterns, inputs(LENGTH), PATTERN_MS)).toEqual([]);
  });
});

/** The adversarial text added, as GitHub would send its patch, to a file at `path`. */
function diffOf(text: string, path: string): FileDiff {
  const lines = text.split("\n");
  const patch = [`@@ -1,1 +1,${lines.length + 1} @@`, " import os", ...lines.map((l) => `+${l}`)].join("\n");
  return toFileDiff({ path, status: "modified", additions: lines.length, deletions: 0, patch });
}
/** A file of each kind the rules read: together they meet every rule. */
const RULE_PATHS = ["backend/app/settings.py", "backend/app/models.py", "backend/app/migrations/0002_x.py", "backend/app/templates/a.html", "backend/.env"];

/** The same lines in a FileDiff that did not come through parsePatch (no line cap on the way in). */
function rawDiff(text: string): FileDiff {
  const lines = text.split("\n").map((t, i) => ({ kind: "add" as const, newLine: i + 1, text: t }));
  return { path: "backend/app/views.py", status: "modified", hunks: [{ index: 0, header: "@@ -0,0 +1 @@", oldStart: 0, newStart: 1, lines }] };
}

const SIGNER = createMarkerSigner("linear-test-secret").forPull({ owner: "o", repo: "r", pullNumber: 1 });

const FUNCTIONS: Array<[string, (text: string) => unknown]> = [
  ["redactText", (t) => redactText(t)],
  ["redactText (python)", (t) => redactText(t, { path: "a.py" })],
  ["findSecrets", (t) => findSecrets(t, { bareValues: true })],
  ["scanLines", (t) => scanLines(t.split("\n"), { bareValues: true })],
  ...RULE_PATHS.map((path): [string, (text: string) => unknown] => [`runRules on ${path}`, (t) => runRules([diffOf(t, path)])]),
  ["runRules on an uncut FileDiff", (t) => runRules([rawDiff(t)])],
  ["redactFileDiff", (t) => redactFileDiff(rawDiff(t))],
  ["parseCommand", (t) => parseCommand(t, "backend-agent", { thread: true })],
  ["quoteRequest", (t) => quoteRequest(t)],
  ["readFindingData + readIgnored", (t) => [readFindingData(t, SIGNER), readIgnored(t, SIGNER)]],
  ["cell + normaliseLine + titleGist", (t) => [cell(t), normaliseLine(t), titleGist(t)]],
  ["neutralise + neutraliseInline + codeSpan", (t) => [neutralise(t), neutraliseInline(t), codeSpan(t)]],
];

/**
 * A function is too slow on a shape when it takes more than {@link FUNCTION_MS} on
 * the long input AND grows faster than linearly from a tenth of the length: a busy
 * machine slows both alike, a per-position loop does not (10× the text, 100× the time).
 */
function tooSlow(fn: (text: string) => unknown, shape: Shape): string | undefined {
  const long = make(shape, LENGTH);
  const ms = Math.min(timeOf(() => fn(long)), FUNCTION_MS * 100);
  if (ms <= FUNCTION_MS) return undefined;
  const again = timeOf(() => fn(long));
  if (again <= FUNCTION_MS) return undefined;
  const short = make(shape, LENGTH / 10);
  const base = Math.max(1, Math.min(timeOf(() => fn(short)), timeOf(() => fn(short))));
  const best = Math.min(ms, again);
  return best > 30 * base ? `${Math.round(best)} ms on ${JSON.stringify(long.slice(0, 40))}… (${long.length}), ${Math.round(base)} ms on a tenth` : undefined;
}

describe("the public functions on the same inputs", () => {
  it.each(FUNCTIONS)(`%s takes at most ${FUNCTION_MS} ms, or linear time, on each ${LENGTH.toLocaleString("en")}-character input`, (_name, fn) => {
    // Each unit alone, after a key header, and after one other prefix in turn: the patterns met every pair above.
    const sample = UNITS.flatMap((unit, i) => ["", KEY_HEADER, PREFIXES[2 + (i % (PREFIXES.length - 2))] ?? ""].map((prefix) => ({ prefix, unit, tail: "!" })));
    for (const shape of sample) {
      // One slow shape is enough to fail; the rest would only add minutes.
      const slow = tooSlow(fn, shape);
      expect(slow).toBeUndefined();
    }
  });
});
