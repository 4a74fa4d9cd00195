/**
 * Which lines of a GitHub `patch` accept an inline review comment, per side.
 * This is the rule GitHub enforces and the app must respect: RIGHT = added or
 * context line (new numbering), LEFT = deleted or context line (old numbering),
 * and a multi-line comment's start must sit in the same hunk as its end.
 */
import parse from "parse-diff";
import type { Side } from "./types.js";

/** A commentable line: where it is in the diff. */
export interface DiffLine {
  side: Side;
  line: number;
  /** Index of the hunk (chunk) in the patch. */
  hunk: number;
  /** Order of the diff row within the patch, to compare a start and an end across sides. */
  row: number;
}

/** Commentable lines of one file's patch. */
export interface CommentableLines {
  right: Map<number, DiffLine>;
  left: Map<number, DiffLine>;
  /** Deprecated `position` (1 = first row below the first `@@`) to the row it names. */
  positions: Map<number, DiffLine>;
  /** Hunk header and rows, to render a comment's `diff_hunk`. */
  hunkText: string[][];
}

/** Parses a patch once; the result answers every placement question about that file. */
export function commentableLines(patch: string): CommentableLines {
  const result: CommentableLines = { right: new Map(), left: new Map(), positions: new Map(), hunkText: [] };
  const [file] = parse(patch);
  if (!file) return result;
  let row = 0;
  let position = 0;
  file.chunks.forEach((chunk, hunk) => {
    // Every hunk header after the first occupies a position of its own.
    if (hunk > 0) position += 1;
    const text = [chunk.content];
    for (const change of chunk.changes) {
      position += 1;
      text.push(change.content);
      // parse-diff reports "\ No newline at end of file" as one more change: not a line.
      if (change.content.startsWith("\\")) continue;
      row += 1;
      if (change.type === "add") {
        const at: DiffLine = { side: "RIGHT", line: change.ln, hunk, row };
        result.right.set(change.ln, at);
        result.positions.set(position, at);
      } else if (change.type === "del") {
        const at: DiffLine = { side: "LEFT", line: change.ln, hunk, row };
        result.left.set(change.ln, at);
        result.positions.set(position, at);
      } else {
        const right: DiffLine = { side: "RIGHT", line: change.ln2, hunk, row };
        result.right.set(change.ln2, right);
        result.left.set(change.ln1, { side: "LEFT", line: change.ln1, hunk, row });
        result.positions.set(position, right);
      }
    }
    result.hunkText.push(text);
  });
  return result;
}

/** The `diff_hunk` GitHub shows with a comment: the hunk up to and including the commented row. */
export function diffHunkFor(lines: CommentableLines, at: DiffLine): string {
  const isRow = (text: string): boolean => !text.startsWith("\\");
  let row = 0;
  for (let h = 0; h < at.hunk; h += 1) row += (lines.hunkText[h] ?? []).slice(1).filter(isRow).length;
  const [header = "", ...body] = lines.hunkText[at.hunk] ?? [];
  const out = [header];
  for (const text of body) {
    out.push(text);
    if (isRow(text)) row += 1;
    if (row === at.row) break;
  }
  return out.join("\n");
}
