import type { CodeLine, Literal } from "./python-source.js";

/**
 * A piece of Python source, possibly spanning lines (joined with "\n"): `raw` as
 * written, `code` masked like {@link CodeLine.code}, literals at offsets into both.
 */
export interface Expr {
  raw: string;
  code: string;
  literals: Literal[];
}

/** A call found in a hunk, with its arguments split at top-level commas. */
export interface Call {
  /** Index of the line holding the callee in the hunk's code lines. */
  at: number;
  line: CodeLine;
  /** Offset of the match in `line`. */
  col: number;
  args: Arg[];
  /** Everything between the parentheses. */
  inner: Expr;
  /** True when a line of the call (callee to closing parenthesis) was added. */
  touchesAdded: boolean;
}

/** One argument: `keyword` is set for `name=value`, and `value` is the part after `=`. */
export interface Arg {
  keyword?: string | undefined;
  value: Expr;
}

const OPENERS = "([{";
const CLOSERS = ")]}";
/** Calls spanning more lines than this are cut: a rule reads a hunk, not a file. */
const MAX_SPAN = 30;
/**
 * Nor more characters than this (about {@link MAX_SPAN} full lines): calls can nest
 * or stay open, so without a bound `eval(eval(eval(…` re-read the rest of the hunk
 * once per call (quadratic).
 */
const MAX_CALL_CHARS = 2_000;
/** Matches of one callee pattern read per line; more on one line is not code anyone writes. */
const MAX_CALLS_PER_LINE = 50;

function slice(e: Expr, from: number, to: number): Expr {
  return {
    raw: e.raw.slice(from, to),
    code: e.code.slice(from, to),
    literals: e.literals
      .filter((l) => l.end > from && l.start < to)
      .map((l) => ({ ...l, start: Math.max(l.start, from) - from, end: Math.min(l.end, to) - from })),
  };
}

/**
 * Collects source from `lines[at]` offset `from` across lines. `inBracket`: reading
 * just after an opening bracket, stop before its partner. Otherwise read to the end
 * of the logical line (an open bracket or a trailing backslash continues it).
 * Anything unclosed runs to the end of the hunk or {@link MAX_SPAN} lines.
 */
function collect(lines: readonly CodeLine[], at: number, from: number, inBracket: boolean): { expr: Expr; lastLine: number; closed: boolean } {
  let raw = "";
  let code = "";
  const literals: Literal[] = [];
  let depth = inBracket ? 1 : 0;
  let budget = MAX_CALL_CHARS;
  let k = at;
  for (; k < lines.length && k < at + MAX_SPAN; k++) {
    const l = lines[k];
    if (!l) break;
    const start = k === at ? from : 0;
    if (k > at) {
      raw += "\n";
      code += "\n";
    }
    let stop = l.code.length;
    let closed = false;
    let spent = false;
    for (let i = start; i < l.code.length; i++) {
      if (budget-- <= 0) {
        stop = i;
        spent = true;
        break;
      }
      const c = l.code[i] ?? "";
      if (OPENERS.includes(c)) depth++;
      else if (CLOSERS.includes(c)) depth--;
      if (inBracket && depth === 0) {
        stop = i;
        closed = true;
        break;
      }
    }
    const offset = raw.length - start;
    for (const lit of l.literals) {
      if (lit.end > start && lit.start < stop) {
        literals.push({ ...lit, start: Math.max(lit.start, start) + offset, end: Math.min(lit.end, stop) + offset });
      }
    }
    raw += l.raw.slice(start, stop);
    code += l.code.slice(start, stop);
    if (closed || spent || (!inBracket && depth <= 0 && !l.openAtEnd && !l.code.trimEnd().endsWith("\\"))) break;
  }
  return { expr: { raw, code, literals }, lastLine: Math.min(k, lines.length - 1), closed: inBracket && depth === 0 };
}

/**
 * The text between the bracket at `lines[at].code[col]` and its partner, across
 * lines; `closed` is false when the hunk ends first.
 */
export function bracketSpan(lines: readonly CodeLine[], at: number, col: number): { inner: Expr; lastLine: number; closed: boolean } {
  const { expr, lastLine, closed } = collect(lines, at, col + 1, true);
  return { inner: expr, lastLine, closed };
}

/** The contents of the string literals of an expression (prefix and quotes removed). */
export function literalValues(e: Expr): string[] {
  return e.literals.map((l) => e.raw.slice(l.start, l.end).replace(/^[rRbBuUfF]{0,2}("""|'''|"|')/, "").replace(/("""|'''|"|')$/, ""));
}

/** From offset `col` of `lines[at]` to the end of the logical line (an assignment's right-hand side). */
export function restOfStatement(lines: readonly CodeLine[], at: number, col: number): Expr {
  return collect(lines, at, col, false).expr;
}

/** Splits an argument list at top-level commas and recognises `keyword=value`. */
export function splitArgs(inner: Expr): Arg[] {
  const parts: Expr[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i <= inner.code.length; i++) {
    const c = inner.code[i] ?? ",";
    if (OPENERS.includes(c)) depth++;
    else if (CLOSERS.includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push(slice(inner, from, i));
      from = i + 1;
    }
  }
  return parts
    .filter((p) => p.code.trim() !== "" || p.literals.length > 0)
    .map((p) => {
      const kw = /^\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(p.code);
      return kw?.[1] ? { keyword: kw[1], value: slice(p, kw[0].length, p.code.length) } : { value: p };
    });
}

/**
 * Every call in a hunk whose callee matches `callee` (a regex over masked code,
 * ending at the opening parenthesis, with the `g` flag).
 */
export function findCalls(lines: readonly CodeLine[], callee: RegExp): Call[] {
  const calls: Call[] = [];
  lines.forEach((line, at) => {
    let count = 0;
    for (const m of line.code.matchAll(callee)) {
      if (++count > MAX_CALLS_PER_LINE) break;
      const open = m.index + m[0].length - 1;
      if (line.code[open] !== "(") continue;
      const { inner, lastLine } = bracketSpan(lines, at, open);
      const touchesAdded = lines.slice(at, lastLine + 1).some((l) => l.added);
      calls.push({ at, line, col: m.index, args: splitArgs(inner), inner, touchesAdded });
    }
  });
  return calls;
}

/** Positional arguments of a call, in order. */
export function positional(call: Call): Expr[] {
  return call.args.filter((a) => a.keyword === undefined).map((a) => a.value);
}

/** The value of keyword argument `name`, if given. */
export function keyword(call: Call, name: string): Expr | undefined {
  return call.args.find((a) => a.keyword === name)?.value;
}

/** One or more adjacent string literals with no f-string placeholder: data fixed in the source. */
export function isConstantString(e: Expr): boolean {
  if (e.literals.length === 0 || e.literals.some((l) => l.interpolates)) return false;
  let rest = "";
  let pos = 0;
  for (const l of e.literals) {
    rest += e.code.slice(pos, l.start);
    pos = l.end;
  }
  rest += e.code.slice(pos);
  return /^[\s()\\]*$/.test(rest);
}

/**
 * A string built from data at run time: an f-string with a placeholder, `%`
 * formatting, `.format(...)` or `+` between a literal and something else.
 */
export function isDynamicString(e: Expr): boolean {
  if (e.literals.some((l) => l.interpolates)) return true;
  return (
    /["')]\s*%\s*[^\s=]/.test(e.code) ||
    /["']\s*\.\s*format\s*\(/.test(e.code) ||
    /["']\s*\+\s*(?![rRbBuU]{0,2}["'])[\w([]/.test(e.code) ||
    /[\w)\]]\s*\+\s*[rRbBuUfF]{0,2}["']/.test(e.code)
  );
}

/** A plain variable name (`sql`), for following a query built on an earlier line. */
export function bareName(e: Expr): string | undefined {
  return /^\s*([A-Za-z_]\w*)\s*$/.exec(e.code)?.[1];
}
