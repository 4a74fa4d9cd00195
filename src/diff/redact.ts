/**
 * Secret redaction: what the model sees, what the bot posts and what it logs goes
 * through here first, so a credential committed in a PR never leaves the process.
 * Only the secret literal is replaced, with `<redacted:KIND>`: the line keeps its
 * shape and every line keeps its number, so findings still point at the right line.
 */
import type { Side } from "../types.js";
import { scanLines, type SecretMatch, type SecretScanOptions } from "./secret-patterns.js";
import type { DiffLine, FileDiff, Hunk } from "./types.js";

/** One secret that was hidden. Never carries the value. */
export interface Redaction {
  /** e.g. `aws-secret-key`, `github-token`, `generic-secret`. */
  kind: string;
  /** 1-based line of the text, or the diff line's number on `side`. */
  line?: number | undefined;
  side?: Side | undefined;
}

/** Options of {@link redactText}. */
export interface RedactOptions {
  /** The file the text comes from: Python reads only quoted values as secrets. */
  path?: string | undefined;
}

function scanOptions(path: string | undefined): SecretScanOptions {
  return { bareValues: path === undefined || !path.endsWith(".py") };
}

/** Replaces the matched spans of one line, right to left so offsets stay valid. */
function applyMatches(text: string, matches: readonly SecretMatch[]): string {
  let out = text;
  for (const m of [...matches].sort((a, b) => b.start - a.start)) {
    if (m.end > m.start) out = `${out.slice(0, m.start)}<redacted:${m.kind}>${out.slice(m.end)}`;
  }
  return out;
}

function hidden(matches: readonly SecretMatch[]): SecretMatch[] {
  return matches.filter((m) => m.end > m.start);
}

/**
 * Replaces secrets in free text (a patch, a PR body, a comment, a log line) with
 * `<redacted:KIND>`. The text keeps its line structure: same number of lines, and
 * only the secret characters change. Without a `path`, unquoted `NAME=value`
 * lines are read too (dotenv, YAML), since the text may be anything.
 */
export function redactText(text: string, options: RedactOptions = {}): { text: string; redactions: Redaction[] } {
  return redactWith(text, scanOptions(options.path));
}

function redactWith(text: string, opts: SecretScanOptions): { text: string; redactions: Redaction[] } {
  const lines = text.split("\n");
  const found = scanLines(lines, opts);
  const redactions: Redaction[] = [];
  const out = lines.map((line, i) => {
    const matches = hidden(found[i] ?? []);
    for (const m of matches) redactions.push({ kind: m.kind, line: i + 1 });
    return applyMatches(line, matches);
  });
  return { text: out.join("\n"), redactions };
}

/**
 * Redacts a hunk. Each side is scanned as the file it belongs to (new side: added
 * and context lines; old side: deleted and context lines), so a private key's
 * body is recognised across the lines of either version.
 */
function redactHunk(hunk: Hunk, opts: SecretScanOptions, redactions: Redaction[]): Hunk {
  const sides = {
    RIGHT: hunk.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.kind !== "del"),
    LEFT: hunk.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.kind !== "add"),
  };
  const perLine = hunk.lines.map((): SecretMatch[] => []);
  for (const side of ["RIGHT", "LEFT"] as const) {
    const found = scanLines(sides[side].map(({ l }) => l.text), opts);
    sides[side].forEach(({ l, i }, k) => {
      for (const m of hidden(found[k] ?? [])) {
        const dup = perLine[i]?.some((p) => p.start === m.start && p.end === m.end);
        if (dup) continue;
        perLine[i]?.push(m);
        redactions.push({ kind: m.kind, line: side === "RIGHT" ? l.newLine : l.oldLine, side });
      }
    });
  }
  const lines = hunk.lines.map((l, i): DiffLine => {
    // Spans found on the two sides of a context line may overlap: keep the first of each overlap.
    const spans = (perLine[i] ?? []).filter(
      (m, k, all) => !all.slice(0, k).some((o) => m.start < o.end && o.start < m.end),
    );
    return spans.length > 0 ? { ...l, text: applyMatches(l.text, spans) } : l;
  });
  // git puts the enclosing line after `@@ ... @@`; it can be the line holding the secret.
  const header = redactWith(hunk.header, opts).text;
  return { ...hunk, header, lines };
}

/**
 * Redacts every line of a parsed file diff (and the hunk headers). Line numbers,
 * kinds and hunk boundaries are untouched, so placement computed on the original
 * diff stays valid on the redacted one.
 */
export function redactFileDiff(file: FileDiff): { file: FileDiff; redactions: Redaction[] } {
  const redactions: Redaction[] = [];
  const opts = scanOptions(file.path);
  const hunks = file.hunks.map((h) => redactHunk(h, opts, redactions));
  return { file: { ...file, hunks }, redactions };
}
