/**
 * Untrusted text (model output, file paths, quoted comments, repo settings) made
 * safe to post on GitHub. Posted raw, such text could carry a hidden marker the
 * app would read back as its own state, notify `@user` / `@org/team`, inject HTML
 * (`<img onerror>`, `<details>`) or load an image from an attacker's server.
 *
 * The prose functions do not trust their own idea of where GitHub's code spans
 * and fences are: they re-emit them. Code spans come out on one line with a
 * backtick run longer than any inside; every other backtick is escaped; fences
 * come out at column 0 and always closed. So what GitHub renders literally is
 * exactly what this module left unescaped, whatever the input's backticks do.
 *
 * Every function is linear in its input, which is cut to {@link MAX_UNTRUSTED_CHARS} first.
 */

import { breakMarkers, codeSpan, cut, safeInfo, ZWSP } from "./code-span.js";

export { breakMarkers, codeFence, codeSpan, MAX_UNTRUSTED_CHARS } from "./code-span.js";
/** The same as an HTML entity, for markdown: visible in the raw text, invisible rendered. */
const ZWSP_ENTITY = "&#8203;";

const lines = (text: string) => text.replace(/\r\n?/g, "\n");
const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

/** Per backtick-run length, the runs' start offsets in order, read by a cursor that only moves forward. */
class BacktickRuns {
  readonly #starts = new Map<number, number[]>();
  readonly #cursor = new Map<number, number>();

  constructor(text: string) {
    for (let i = 0; i < text.length; ) {
      if (text[i] !== "`") { i++; continue; }
      let j = i;
      while (text[j] === "`") j++;
      const list = this.#starts.get(j - i) ?? [];
      list.push(i);
      this.#starts.set(j - i, list);
      i = j;
    }
  }

  /** Start of the first run of exactly `length` backticks at or after `from`, or -1. */
  next(length: number, from: number): number {
    const list = this.#starts.get(length) ?? [];
    let k = this.#cursor.get(length) ?? 0;
    while (k < list.length && (list[k] ?? 0) < from) k++;
    this.#cursor.set(length, k);
    return list[k] ?? -1;
  }
}

const ENTITY = /&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/y;

/**
 * The entity at `i`, and the character it stands for when that is `@` or `#`: GitHub
 * decodes entities before it looks for mentions and references, so those are
 * treated as the bare character.
 */
function entityAt(text: string, i: number): { text: string; disguised?: "@" | "#" } | undefined {
  ENTITY.lastIndex = i;
  const m = ENTITY.exec(text);
  if (!m) return undefined;
  const code = m[1] !== undefined ? Number.parseInt(m[1], 10) : m[2] !== undefined ? Number.parseInt(m[2], 16) : undefined;
  const name = m[3]?.toLowerCase();
  if (code === 64 || name === "commat") return { text: m[0], disguised: "@" };
  if (code === 35 || name === "num") return { text: m[0], disguised: "#" };
  return { text: m[0] };
}

/**
 * Code inside a table row: GitHub splits a row at every `|` not taken by a
 * backslash pair, even inside code, which would spill the code out as markup.
 */
const tablePipes = (code: string) => code.replace(/\\[^]|\|/g, (m) => (m === "|" ? "\\|" : m));

/** A line only a table's delimiter row (`|---|:--:|`) could be, once quote markers are set aside; generous on purpose. */
const looksLikeDelimiterRow = (line: string) => {
  const bare = line.replace(/[\s>]/g, "");
  return bare.includes("-") && /^[|:-]+$/.test(bare);
};

/** One paragraph of prose (no blank line inside), escaped; its code spans re-emitted with {@link codeSpan}. */
function paragraph(p: string): string {
  const inTable = p.split("\n").some(looksLikeDelimiterRow);
  const runs = new BacktickRuns(p);
  const out: string[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i] ?? "";
    const next = p[i + 1];
    if (c === "`") {
      let j = i;
      while (p[j] === "`") j++;
      const close = runs.next(j - i, j);
      if (close < 0) {
        out.push("\\`".repeat(j - i));
        i = j;
      } else {
        // GitHub's reading of a code span: line breaks become spaces, one space is stripped from each end.
        let content = p.slice(j, close).replace(/\n/g, " ");
        if (content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "") content = content.slice(1, -1);
        out.push(inTable ? tablePipes(codeSpan(content)) : codeSpan(content));
        i = close + (j - i);
      }
      continue;
    }
    if (c === "\\" && next !== undefined && ASCII_PUNCT.test(next)) {
      // `\<`, `\&`, `\@`, `\#` would still render the character: escape it the same way as a bare one.
      if ("<&@#".includes(next)) { i++; continue; }
      out.push(c, next);
      i += 2;
      continue;
    }
    if (c === "&") {
      const entity = entityAt(p, i);
      if (entity) {
        const after = p[i + entity.text.length];
        out.push(entity.disguised ? escapeChar(entity.disguised, p[i - 1], p[i - 2], after) : entity.text);
        i += entity.text.length;
        continue;
      }
    }
    out.push(escapeChar(c, p[i - 1], p[i - 2], next));
    i++;
  }
  return out.join("");
}

function escapeChar(c: string, prev: string | undefined, prev2: string | undefined, next: string | undefined): string {
  switch (c) {
    case "<": return "&lt;";
    case ">": return prev === "-" && prev2 === "-" ? "&gt;" : c;
    // After `_` too: `_x_@name` renders `<em>x</em>@name`, and GitHub reads the text after the tag as a new start.
    case "@": return isAlnum(next) && !isAlnum(prev) ? `@${ZWSP_ENTITY}` : c;
    case "#": return isDigit(next) ? `#${ZWSP_ENTITY}` : c;
    case "!": return next === "[" ? "!\\" : c;
    default: return c;
  }
}

/** Prose lines (no fence among them): paragraphs split at blank lines, escaped one by one. */
function prose(block: string[]): string[] {
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(paragraph(para.join("\n")));
    para = [];
  };
  for (const line of block) {
    if (line.trim() === "") {
      flush();
      out.push("");
    } else para.push(line);
  }
  flush();
  return out;
}

// The info string is read by slicing: `(.*)$` after the run backtracks through it on a line that holds a line separator (quadratic).
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/** Whether `line` closes a fence opened with `fence` (same character, at least as long, nothing after). */
function closes(line: string, fence: string): boolean {
  const m = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
  return m?.[1] !== undefined && m[1][0] === fence[0] && m[1].length >= fence.length;
}

/**
 * Untrusted markdown (a finding's body, an `ask` answer, a quoted comment) made
 * safe to post, still readable: bold, lists, links, headings, inline code and
 * fenced code keep working. Outside code: `<` and `-->` become entities (no HTML,
 * no HTML comment, so no marker), `@name` / `@org/team` get a zero-width space
 * after `@` (not a mention; `a@b.com` is left alone), `#123` and `owner/repo#123`
 * get one after `#` (no cross-reference), `![` is escaped (an image shows as its
 * text, its URL as a plain link), entities that decode to `@` or `#` are treated
 * as that character, and stray backticks are escaped. Code spans and fences are re-emitted so they
 * cannot be broken out of; fences go to column 0 and are always closed, and a
 * fence GitHub would render as something else (`suggestion`, `mermaid`, `math`…)
 * becomes `text`. Markers inside code are broken too. Idempotent.
 */
export function neutralise(text: string): string {
  const input = lines(cut(text)).split("\n");
  const out: string[] = [];
  let block: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const line = input[i] ?? "";
    const open = FENCE_OPEN.exec(line);
    const fence = open?.[1];
    const info = open ? line.slice(open[0].length) : "";
    if (fence === undefined || (fence[0] === "`" && info.includes("`"))) {
      block.push(line);
      continue;
    }
    out.push(...prose(block));
    block = [];
    out.push(`${fence}${safeInfo(info)}`);
    let j = i + 1;
    while (j < input.length && !closes(input[j] ?? "", fence)) out.push(breakMarkers(input[j++] ?? ""));
    out.push(fence);
    i = j;
  }
  out.push(...prose(block));
  return out.join("\n");
}

/**
 * {@link neutralise} for one line: titles, reasons, table cells, list items. Line
 * breaks become spaces first, so nothing block-level (a fence, a heading) can start.
 */
export function neutraliseInline(text: string): string {
  return paragraph(cut(text).replace(/\r\n?|\n/g, " ").trim());
}

/**
 * Markdown (the app's own, or already neutralised) as a blockquote: every line
 * gets `> `, so a multi-line text cannot leave the quote after its first line.
 */
export function asBlockquote(markdown: string): string {
  return lines(markdown).split("\n").map((line) => `> ${line}`.trimEnd()).join("\n");
}

/**
 * Untrusted text inside raw HTML the app writes (`<summary>…</summary>`, `<code>`):
 * HTML-escaped, on one line, mentions and references defused.
 */
export function htmlText(text: string): string {
  const escaped: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
  return cut(text)
    .replace(/\s+/g, " ")
    .replace(/(^|[^A-Za-z0-9])@(?=[A-Za-z0-9])/g, `$1@${ZWSP}`)
    .replace(/#(?=[0-9])/g, `#${ZWSP}`)
    .replace(/[&<>"']/g, (c) => escaped[c] ?? c);
}

/**
 * Untrusted text for GitHub fields shown as plain text (check-run title, annotation
 * title and message): cut to `maxChars`, with `<!--` and `-->` broken so no copy
 * of the text can be read back as a marker.
 */
export function plainText(text: string, maxChars: number): string {
  const bounded = text.length > maxChars ? `${text.slice(0, Math.max(0, maxChars - 1))}…` : text;
  return bounded.replace(/<!--/g, `<${ZWSP}!--`).replace(/-->/g, `--${ZWSP}>`);
}
