import type { ChangedFile } from "./types.js";

/** Git's blob id of an empty file: an empty `__init__.py` has no patch and nothing to review. */
export const EMPTY_BLOB_SHA = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

/** Why a changed file came without hunks, and whether that hides a change nobody reviewed. */
export interface MissingPatch {
  reason: string;
  /** True when the content changed but no text of it can be reviewed: the review is incomplete. */
  unseen: boolean;
}

/**
 * Classifies a file GitHub (or git) listed without a patch, file by file:
 * - renamed without changes, mode change only (GitHub: `modified` with `sha: null`),
 *   an empty file added or removed, a binary file removed: the content that ends up
 *   in the branch is unchanged or empty, so there is nothing to review;
 * - lines counted but no patch: GitHub left out a diff too large to show — unseen;
 * - 0/0 with a non-empty blob: a binary file added or changed, which neither the
 *   rules nor the model can read — unseen. Binary kinds that are expected (images,
 *   fonts, compiled translations) are skipped by glob before this is asked.
 */
export function missingPatch(file: ChangedFile): MissingPatch {
  const counted = file.additions + file.deletions > 0;
  if (counted) return { reason: "diff too large for GitHub to show", unseen: true };
  if (file.status === "renamed") return { reason: "renamed without changes", unseen: false };
  if (file.status === "changed" || file.sha === null) return { reason: "mode change only", unseen: false };
  if (file.status === "removed") return { reason: "removed (empty or binary file)", unseen: false };
  if (file.sha === EMPTY_BLOB_SHA) return { reason: "empty file", unseen: false };
  return { reason: "binary file: no text diff to review", unseen: true };
}
