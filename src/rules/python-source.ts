import type { FileDiff, Hunk } from "../diff/types.js";
import { ancestor, kids, nodesOf, type FileSide, type ReviewTrees, type Tree } from "./python-tree.js";

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

/** What the tree says about one row: ranges to blank, literal segments, a string still open at its end. */
interface RowMask {
  blank: Array<[number, number]>;
  literals: Literal[];
  open: boolean;
}

function rowMask(masks: Map<number, RowMask>, row: number): RowMask {
  let m = masks.get(row);
  if (!m) masks.set(row, (m = { blank: [], literals: [], open: false }));
  return m;
}

/**
 * String and comment positions of a whole side, by row, from its syntax tree: a
 * string's content and a comment are blanked, the quotes and prefix kept, so a
 * pattern cannot match inside them and offsets still map back to the raw line.
 */
function treeMasks(tree: Tree, width: (row: number) => number): Map<number, RowMask> {
  const masks = new Map<number, RowMask>();
  for (const n of nodesOf(tree.rootNode, ["string", "comment"])) {
    const [r0, c0, r1, c1] = [n.startPosition.row, n.startPosition.column, n.endPosition.row, n.endPosition.column];
    if (n.type === "comment") {
      rowMask(masks, r0).blank.push([c0, width(r0)]);
      continue;
    }
    // A string inside an f-string's placeholder is blanked with its host.
    if (ancestor(n, "string")) continue;
    const open = kids(n).find((c) => c.type === "string_start")?.text ?? "";
    const close = kids(n).find((c) => c.type === "string_end")?.text.length ?? 0;
    const prefix = open.slice(0, Math.max(0, open.search(/["']/))).toLowerCase();
    const holes = kids(n).filter((c) => c.type === "interpolation").map((c) => [c.startPosition.row, c.endPosition.row]);
    for (let row = r0; row <= r1; row++) {
      const m = rowMask(masks, row);
      const start = row === r0 ? c0 : 0;
      const end = row === r1 ? c1 : width(row);
      m.blank.push([row === r0 ? c0 + open.length : 0, row === r1 ? c1 - close : width(row)]);
      m.literals.push({ start, end, prefix, interpolates: holes.some(([a = 0, b = 0]) => a <= row && row <= b) });
      if (row < r1) m.open = true;
    }
  }
  return masks;
}

function masked(raw: string, mask: RowMask | undefined): string {
  if (!mask) return raw;
  const chars = raw.split("");
  for (const [from, to] of mask.blank) for (let k = Math.max(0, from); k < Math.min(to, chars.length); k++) chars[k] = " ";
  return chars.join("");
}

/**
 * Every rule reads the same lines; masking once per file, side and review keeps a
 * large PR linear. Keyed by the review's trees, whose positions the masks come from.
 */
const CACHE = new WeakMap<FileDiff, { trees: ReviewTrees } & Partial<Record<FileSide, Array<readonly CodeLine[]>>>>();

/**
 * Every hunk of a file as code lines, hunk by hunk: the new side (added + context,
 * the default) or the old side (deleted + context, where `added` means "deleted"
 * and `line` is the old number). Empty when the side cannot be parsed (over the caps).
 */
export function fileCodeLines(file: FileDiff, trees: ReviewTrees, side: FileSide = "new"): Array<readonly CodeLine[]> {
  const cached = CACHE.get(file);
  const hit = cached?.trees === trees ? cached[side] : undefined;
  if (hit) return hit;
  const tree = trees.get(file, side);
  const texts = new Map<number, string>();
  for (const h of file.hunks) for (const l of h.lines) {
    const n = side === "new" ? (l.kind === "del" ? undefined : l.newLine) : l.kind === "add" ? undefined : l.oldLine;
    if (n !== undefined) texts.set(n - 1, l.text);
  }
  const masks = tree ? treeMasks(tree, (row) => texts.get(row)?.length ?? 0) : new Map<number, RowMask>();
  const changed = side === "new" ? "add" : "del";
  const out = tree
    ? file.hunks.map((hunk) =>
        hunk.lines.flatMap((l): CodeLine[] => {
          const n = side === "new" ? l.newLine : l.oldLine;
          if ((l.kind !== changed && l.kind !== "context") || n === undefined) return [];
          const mask = masks.get(n - 1);
          return [{ hunk, line: n, added: l.kind === changed, raw: l.text, code: masked(l.text, mask), literals: mask?.literals ?? [], openAtEnd: mask?.open ?? false }];
        }),
      )
    : [];
  CACHE.set(file, { ...(cached?.trees === trees ? cached : {}), trees, [side]: out });
  return out;
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
