import { commentableLines, hunkOf, type CommentableLines } from "../diff/commentable-lines.js";
import type { FileDiff } from "../diff/types.js";
import type { Finding } from "./findings.js";

/** A finding that could not become an inline comment, and why. */
export interface UnplacedFinding {
  finding: Finding;
  reason: string;
}

/**
 * Checks every finding against the lines GitHub accepts a comment on, since one bad
 * comment makes GitHub reject the whole review. A range that leaves its hunk is
 * narrowed to its last line (and its suggestion, which no longer fits, dropped);
 * what cannot be placed at all is returned with the reason, to be listed instead.
 */
export function placeFindings(findings: readonly Finding[], files: readonly FileDiff[]): { placed: Finding[]; unplaced: UnplacedFinding[] } {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const index = new Map<string, CommentableLines>();
  const placed: Finding[] = [];
  const unplaced: UnplacedFinding[] = [];
  for (const finding of findings) {
    const file = byPath.get(finding.path);
    if (!file) {
      unplaced.push({ finding, reason: "file is not part of the reviewed diff" });
      continue;
    }
    if (file.hunks.length === 0) {
      unplaced.push({ finding, reason: `file has no diff to comment on (${file.noHunksReason ?? "no hunks"})` });
      continue;
    }
    let lines = index.get(file.path);
    if (!lines) index.set(file.path, (lines = commentableLines(file)));
    const hunk = hunkOf(lines, finding.side, finding.line);
    if (hunk === undefined) {
      unplaced.push({ finding, reason: `line ${finding.line} (${finding.side}) is outside the diff` });
      continue;
    }
    const start = finding.startLine === finding.line ? undefined : finding.startLine;
    const rangeOk = start === undefined || (start < finding.line && hunkOf(lines, finding.side, start) === hunk);
    placed.push(rangeOk ? { ...finding, startLine: start } : { ...finding, startLine: undefined, suggestion: undefined });
  }
  return { placed, unplaced };
}
