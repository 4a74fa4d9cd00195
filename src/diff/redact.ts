/**
 * Secret redaction: what the model sees, what the bot posts and what it logs goes
 * through here first, so a credential committed in a PR never leaves the process.
 * Only the secret literal is replaced, with `<redacted:KIND>`: the line keeps its
 * shape and every line keeps its number, so findings still point at the right line.
 */
import type { Side } from "../domain/findings.js";
import { cutMarker, LINE_CAP, safeSlice, windowLine } from "./line-cap.js";
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

/** Replaces the matched spans (not overlapping) of one line, in one pass. */
function applyMatches(text: string, matches: readonly SecretMatch[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const m of [...matches].sort((a, b) => a.start - b.start)) {
    if (m.end <= m.start || m.start < at) continue;
    parts.push(text.slice(at, m.start), `<redacted:${m.kind}>`);
    at = m.end;
  }
  parts.push(text.slice(at));
  return parts.join("");
}

/**
 * The line as it may leave the process: redacted, and when it was longer than
 * {@link LINE_CAP}, cut there with a visible marker. A secret that straddles the cut
 * is hidden whole (the scan saw {@link LINE_SCAN_CHARS}), so no half of it shows.
 */
function finishLine(text: string, matches: readonly SecretMatch[], cut: number): string {
  if (cut <= 0) return applyMatches(text, matches);
  const kept = safeSlice(text, LINE_CAP);
  const inKept = matches.filter((m) => m.start < kept.length).map((m) => ({ ...m, end: Math.min(m.end, kept.length) }));
  return `${applyMatches(kept, inKept)}${cutMarker(cut + LINE_CAP - kept.length)}`;
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
  // Cut first: a long line is scanned only up to its window, and shown only up to the cap.
  const lines = text.split("\n").map(windowLine);
  const found = scanLines(lines.map((l) => l.text), opts);
  const redactions: Redaction[] = [];
  const out = lines.map((line, i) => {
    const matches = hidden(found[i] ?? []);
    for (const m of matches) if (line.cut <= 0 || m.start < LINE_CAP) redactions.push({ kind: m.kind, line: i + 1 });
    return finishLine(line.text, matches, line.cut);
  });
  return { text: out.join("\n"), redactions };
}

/**
 * Redacts a hunk. Each side is scanned as the file it belongs to (new side: added
 * and context lines; old side: deleted and context lines), so a private key's
 * body is recognised across the lines of either version.
 */
function redactHunk(hunk: Hunk, opts: SecretScanOptions, redactions: Redaction[]): Hunk {
  // parsePatch already windowed long lines; a FileDiff built elsewhere is windowed here.
  const windows = hunk.lines.map((l) => (l.cut ? { text: l.text, cut: l.cut } : windowLine(l.text)));
  const sides = {
    RIGHT: hunk.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.kind !== "del"),
    LEFT: hunk.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.kind !== "add"),
  };
  const perLine = hunk.lines.map((): SecretMatch[] => []);
  for (const side of ["RIGHT", "LEFT"] as const) {
    const found = scanLines(sides[side].map(({ i }) => windows[i]?.text ?? ""), opts);
    sides[side].forEach(({ l, i }, k) => {
      for (const m of hidden(found[k] ?? [])) {
        if ((windows[i]?.cut ?? 0) > 0 && m.start >= LINE_CAP) continue;
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
    const window = windows[i] ?? { text: l.text, cut: 0 };
    if (window.cut > 0) return { ...l, text: finishLine(window.text, spans, window.cut), cut: undefined };
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
