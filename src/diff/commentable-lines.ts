import type { Side } from "../domain/findings.js";
import type { FileDiff } from "./types.js";

/**
 * For each side, the lines GitHub accepts a review comment on, mapped to the hunk
 * that holds them. RIGHT = added and context lines (new numbering); LEFT = deleted
 * and context lines (old numbering).
 */
export interface CommentableLines {
  RIGHT: Map<number, number>;
  LEFT: Map<number, number>;
}

/** Builds the commentable-line index of one file. */
export function commentableLines(file: FileDiff): CommentableLines {
  const lines: CommentableLines = { RIGHT: new Map(), LEFT: new Map() };
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      if (line.kind !== "del" && line.newLine !== undefined) lines.RIGHT.set(line.newLine, hunk.index);
      if (line.kind !== "add" && line.oldLine !== undefined) lines.LEFT.set(line.oldLine, hunk.index);
    }
  }
  return lines;
}

/** The hunk index holding `line` on `side`, or undefined when GitHub would refuse it. */
export function hunkOf(lines: CommentableLines, side: Side, line: number): number | undefined {
  return lines[side].get(line);
}
