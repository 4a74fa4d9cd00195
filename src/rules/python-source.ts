import type { FileDiff, Hunk } from "../diff/types.js";

/** A string literal (or the part of a triple-quoted one) on one line. */
export interface Literal {
  /** Offset of the prefix or opening quote; 0 when the literal began on an earlier line. */
  start: number;
  /** Offset just past the closing quote, or the line's length when it goes on. */
  end: number;
  /** Lower-cased prefix letters (`f`, `rb`, ...), also on a triple-quoted literal's continuation lines. */
  prefix: string;
  /** An f-string part with a `{placeholder}` on this line. */
  interpolates: boolean;
}

/** One line of one side of a hunk (changed or context), ready for pattern matching. */
export interface CodeLine {
  hunk: Hunk;
  /** Number on its side (new file for the new side): always a line GitHub accepts there. */
  line: number;
  /** Changed on this side: added on the new side, deleted on the old side. */
  added: boolean;
  raw: string;
  /**
   * `raw` with string contents and comments blanked to spaces, same length, so
   * `eval(` inside `"..."` or after `#` cannot match and offsets map back to `raw`.
   */
  code: string;
  literals: Literal[];
  /** A triple-quoted string is still open at the end of the line. */
  openAtEnd: boolean;
}

type OpenTriple = { quote: string; prefix: string } | null;

const PREFIX = /(?:^|[^\w])([rRbBuUfF]{1,2})$/;

/** Finds the closing quote of a one-line literal that opens at `from`. */
function closeOf(raw: string, quote: string, from: number): number {
  for (let j = from; j < raw.length; j++) {
    if (raw[j] === "\\") j++;
    else if (raw.startsWith(quote, j)) return j;
  }
  return -1;
}

function blank(chars: string[], from: number, to: number): void {
  for (let k = from; k < to; k++) if (chars[k] !== "\n") chars[k] = " ";
}

function interpolates(prefix: string, content: string): boolean {
  return prefix.includes("f") && /\{(?!\{)/.test(content.replace(/\{\{/g, ""));
}

/**
 * Masks one line, continuing a triple-quoted string left open by the line before.
 * Returns the masked text, the literals and what is still open at the end.
 */
export function maskLine(raw: string, open: OpenTriple): { code: string; literals: Literal[]; open: OpenTriple } {
  // UTF-16 units, like every offset here (a spread would split by code point and shift them after an emoji).
  const chars = raw.split("");
  const literals: Literal[] = [];
  let i = 0;
  let state = open;
  if (state) {
    const close = closeOf(raw, state.quote, 0);
    const end = close < 0 ? raw.length : close;
    blank(chars, 0, end);
    literals.push({ start: 0, end: close < 0 ? raw.length : close + 3, prefix: state.prefix, interpolates: interpolates(state.prefix, raw.slice(0, end)) });
    if (close < 0) return { code: chars.join(""), literals, open: state };
    i = close + 3;
    state = null;
  }
  while (i < raw.length) {
    const c = raw[i];
    if (c === "#") {
      blank(chars, i, raw.length);
      break;
    }
    if (c !== '"' && c !== "'") {
      i++;
      continue;
    }
    // A prefix is at most two letters, plus one character that must not be part of a name.
    const prefix = (PREFIX.exec(raw.slice(Math.max(0, i - 3), i))?.[1] ?? "").toLowerCase();
    const start = i - prefix.length;
    const quote = raw.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
    const close = closeOf(raw, quote, i + quote.length);
    const contentEnd = close < 0 ? raw.length : close;
    blank(chars, i + quote.length, contentEnd);
    const end = close < 0 ? raw.length : close + quote.length;
    literals.push({ start, end, prefix, interpolates: interpolates(prefix, raw.slice(i + quote.length, contentEnd)) });
    if (close < 0 && quote.length === 3) state = { quote, prefix };
    i = end;
  }
  return { code: chars.join(""), literals, open: state };
}

/**
 * Every rule reads the same hunks; masking once per hunk and side keeps a large PR
 * linear. Keyed weakly so parsed diffs are freed with the review that made them.
 */
const CACHE = new WeakMap<Hunk, Partial<Record<"new" | "old", readonly CodeLine[]>>>();

/**
 * One side of a hunk as code lines: the new side (added + context, the default)
 * or the old side (deleted + context, where `added` means "deleted" and `line` is
 * the old number). A hunk starting inside a docstring is read as code until the
 * docstring closes: a known, rare blind spot.
 */
export function hunkCodeLines(hunk: Hunk, side: "new" | "old" = "new"): readonly CodeLine[] {
  const cached = CACHE.get(hunk)?.[side];
  if (cached) return cached;
  const out: CodeLine[] = [];
  let open: OpenTriple = null;
  const changed = side === "new" ? "add" : "del";
  for (const l of hunk.lines) {
    const n = side === "new" ? l.newLine : l.oldLine;
    if ((l.kind !== changed && l.kind !== "context") || n === undefined) continue;
    const masked = maskLine(l.text, open);
    open = masked.open;
    out.push({ hunk, line: n, added: l.kind === changed, raw: l.text, code: masked.code, literals: masked.literals, openAtEnd: open !== null });
  }
  CACHE.set(hunk, { ...CACHE.get(hunk), [side]: out });
  return out;
}

/** Every hunk of a file as code lines, hunk by hunk. */
export function fileCodeLines(file: FileDiff, side: "new" | "old" = "new"): Array<readonly CodeLine[]> {
  return file.hunks.map((h) => hunkCodeLines(h, side));
}

/** True when offset `i` of a line is live code (not inside a string or comment). */
export function isLive(line: CodeLine, i: number): boolean {
  return line.code[i] === line.raw[i] && line.code[i] !== " ";
}

/** Leading whitespace width, for block structure. */
export function indentOf(text: string): number {
  return /^\s*/.exec(text)?.[0].length ?? 0;
}

/** A blank or comment-only line: it neither opens nor closes a block. */
export function isBlank(line: CodeLine): boolean {
  return line.code.trim() === "";
}

/**
 * The lines of the block opened by `lines[at]` (a `with`, `def`, `class`...): the
 * following lines indented deeper, up to the first dedent or the end of the hunk.
 */
export function blockAfter(lines: readonly CodeLine[], at: number): CodeLine[] {
  const head = lines[at];
  if (!head) return [];
  const base = indentOf(head.raw);
  const body: CodeLine[] = [];
  for (let k = at + 1; k < lines.length; k++) {
    const l = lines[k];
    if (!l) break;
    if (isBlank(l)) continue;
    if (indentOf(l.raw) <= base) break;
    body.push(l);
  }
  return body;
}

/**
 * Indexes of lines that belong to an import statement, including the continuation
 * lines of `from x import (\n a,\n b,\n)`, so a name that is only imported does not fire.
 */
export function importLines(lines: readonly CodeLine[]): Set<number> {
  const set = new Set<number>();
  let inParen = false;
  lines.forEach((l, k) => {
    if (inParen) {
      set.add(k);
      if (l.code.includes(")")) inParen = false;
    } else if (/^\s*(from\s+\S+\s+)?import\b/.test(l.code)) {
      set.add(k);
      inParen = l.code.includes("(") && !l.code.includes(")");
    }
  });
  return set;
}
