import parseDiff from "parse-diff";
import { missingPatch } from "./missing-patch.js";
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
    header: chunk.content,
    oldStart: chunk.oldStart,
    newStart: chunk.newStart,
    lines: chunk.changes.flatMap((change): DiffLine[] => {
      if (change.content.startsWith("\\")) return [];
      const text = change.content.slice(1);
      switch (change.type) {
        case "add":
          return [{ kind: "add", newLine: change.ln, text }];
        case "del":
          return [{ kind: "del", oldLine: change.ln, text }];
        case "normal":
          return [{ kind: "context", oldLine: change.ln1, newLine: change.ln2, text }];
      }
    }),
  }));
}

/** Turns a listed file into a parsed diff, keeping a reason when it has no hunks. */
export function toFileDiff(file: ChangedFile): FileDiff {
  const hunks = file.patch ? parsePatch(file.patch) : [];
  // A patch that parses to nothing is as unseen as a missing one.
  const missing = hunks.length > 0 ? undefined : file.patch ? { reason: "patch could not be read", unseen: true } : missingPatch(file);
  return {
    path: file.path,
    previousPath: file.previousPath,
    status: file.status,
    hunks,
    noHunksReason: missing?.reason,
    ...(missing?.unseen ? { unseen: true } : {}),
  };
}
