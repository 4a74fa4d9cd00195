/**
 * Which lines of a file's diff a rule may report on: the changed lines of each side,
 * the lines GitHub accepts a comment on (in a hunk), and the line a syntax node is
 * reported on. Cached per file: every rule asks for the same files.
 */
import type { FileDiff } from "../diff/types.js";
import type { FileSide, Node } from "./python-tree.js";

/** Changed line numbers of one side (added on the new side, deleted on the old), cached per file. */
const CHANGED = new WeakMap<FileDiff, Partial<Record<FileSide, Set<number>>>>();

/** The lines of `side` the change touched: only these may carry a finding. */
export function changedLines(file: FileDiff, side: FileSide = "new"): Set<number> {
  const cached = CHANGED.get(file)?.[side];
  if (cached) return cached;
  const set = new Set<number>();
  for (const h of file.hunks) {
    for (const l of h.lines) {
      if (side === "new" && l.kind === "add" && l.newLine !== undefined) set.add(l.newLine);
      if (side === "old" && l.kind === "del" && l.oldLine !== undefined) set.add(l.oldLine);
    }
  }
  CHANGED.set(file, { ...CHANGED.get(file), [side]: set });
  return set;
}

/**
 * Whether a changed line of the new side matches `pattern`: a cheap test before a
 * rule asks for the tree, so files without the construct are never parsed.
 */
export function changeMentions(file: FileDiff, pattern: RegExp): boolean {
  return file.hunks.some((h) => h.lines.some((l) => l.kind === "add" && pattern.test(l.text)));
}

const IN_HUNK = new WeakMap<FileDiff, Partial<Record<FileSide, Set<number>>>>();

/** Whether GitHub accepts a comment on `line` of `side`: the line is in one of the file's hunks (changed or context). */
export function inHunk(file: FileDiff, line: number, side: FileSide = "new"): boolean {
  let set = IN_HUNK.get(file)?.[side];
  if (!set) {
    set = new Set<number>();
    for (const h of file.hunks) for (const l of h.lines) {
      const n = side === "new" ? (l.kind === "del" ? undefined : l.newLine) : l.kind === "add" ? undefined : l.oldLine;
      if (n !== undefined) set.add(n);
    }
    IN_HUNK.set(file, { ...IN_HUNK.get(file), [side]: set });
  }
  return set.has(line);
}

/**
 * The line to report a node on, or undefined when the change did not touch it:
 * its first line when that is in the hunk (a field whose `max_length=` line
 * changed is reported on the field), else its first changed line.
 */
export function touchedLine(node: Node, file: FileDiff, side: FileSide = "new"): number | undefined {
  const changed = changedLines(file, side);
  const first = node.startPosition.row + 1;
  let touched: number | undefined;
  for (let n = first; n <= node.endPosition.row + 1 && touched === undefined; n++) if (changed.has(n)) touched = n;
  if (touched === undefined) return undefined;
  return touched === first || inHunk(file, first, side) ? first : touched;
}
