/** A changed file as the pull-request files listing describes it. */
export interface ChangedFile {
  path: string;
  /** Set for renames and copies. */
  previousPath?: string | undefined;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  /** Unified-diff hunks without file headers; missing for binary and very large files. */
  patch?: string | undefined;
  /** The file's blob SHA (the old one when removed); GitHub sends null for a mode-only change. */
  sha?: string | null | undefined;
}

/** One line of a hunk with its numbers on each side it exists on. */
export interface DiffLine {
  kind: "add" | "del" | "context";
  /** Number in the old file (del and context lines). */
  oldLine?: number | undefined;
  /** Number in the new file (add and context lines). */
  newLine?: number | undefined;
  /** The line's text without the leading +, - or space (a long line: its first LINE_SCAN_CHARS, see line-cap.ts). */
  text: string;
  /** Characters past LINE_CAP that the original line had: redaction cuts the line there, with a visible marker. */
  cut?: number | undefined;
}

/** A hunk of a file's patch. */
export interface Hunk {
  /** Position of the hunk in its file, 0-based: placement checks ranges stay in one. */
  index: number;
  header: string;
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

/** A changed file after parsing: its hunks, or why it has none. */
export interface FileDiff {
  path: string;
  previousPath?: string | undefined;
  status: ChangedFile["status"];
  hunks: Hunk[];
  /** Why the file has no reviewable hunks (binary, rename only, too large...). */
  noHunksReason?: string | undefined;
  /** No hunks although its content changed (too large, binary): nobody saw the change, so it counts as unreviewed. */
  unseen?: boolean | undefined;
}
