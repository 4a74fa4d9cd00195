import parseDiff from "parse-diff";
import { missingPatch } from "./missing-patch.js";
import { cutText, LINE_CAP, windowLine } from "./line-cap.js";
import type { ChangedFile, DiffLine, FileDiff, Hunk } from "./types.js";

/**
 * Parses one file's GitHub `patch` (hunks without file headers) into hunks whose
 * lines carry their old and new numbers.
 *
 * parse-diff reports "\ No newline at end of file" as an extra change; it is not a
 * line of either file, so it is dropped here and nowhere else.
 */
export function parsePatch(patch: string): Hunk[] {
  const [file] = parseDiff(patch);
  if (!file) return [];
  return file.chunks.map((chunk, index) => ({
    index,
    header: cutText(chunk.content, LINE_CAP),
    oldStart: chunk.oldStart,
    newStart: chunk.newStart,
    lines: chunk.changes.flatMap((change): DiffLine[] => {
      if (change.content.startsWith("\\")) return [];
      // A long line keeps only what may be scanned: every later pass costs O(cap), not O(line).
      const { text, cut } = windowLine(change.content.slice(1));
      const long = cut > 0 ? { cut } : {};
      switch (change.type) {
        case "add":
          return [{ kind: "add", newLine: change.ln, text, ...long }];
        case "del":
          return [{ kind: "del", oldLine: change.ln, text, ...long }];
        case "normal":
          return [{ kind: "context", oldLine: change.ln1, newLine: change.ln2, text, ...long }];
      }
    }),
  }));
}

/**
 * The largest patch of one file that is parsed, in characters. A bigger one is more
 * than one model request can hold (~250,000 tokens) and is generated or vendored code
 * in practice; parsing it would only cost the worker time and memory. Such a file is
 * not reviewed, and says so, so the check fails closed. GitHub leaves out patches of
 * this size itself; the CLI (local git) and a hostile server can still send one.
 */
export const PATCH_CAP = 1_000_000;

/** Turns a listed file into a parsed diff, keeping a reason when it has no hunks. */
export function toFileDiff(file: ChangedFile): FileDiff {
  const tooLarge = (file.patch?.length ?? 0) > PATCH_CAP;
  const hunks = file.patch && !tooLarge ? parsePatch(file.patch) : [];
  // A patch that parses to nothing is as unseen as a missing one.
  const missing =
    hunks.length > 0
      ? undefined
      : tooLarge
        ? { reason: `diff too large to review (${((file.patch?.length ?? 0) / 1e6).toFixed(1)} MB; the limit is ${PATCH_CAP / 1e6} MB)`, unseen: true }
        : file.patch
          ? { reason: "patch could not be read", unseen: true }
          : missingPatch(file);
  return {
    path: file.path,
    previousPath: file.previousPath,
    status: file.status,
    hunks,
    noHunksReason: missing?.reason,
    ...(missing?.unseen ? { unseen: true } : {}),
  };
}
