import { renderNumberedDiff } from "./render.js";
import type { FileDiff } from "./types.js";

/** Part of the diff sent to the model in one request. */
export interface DiffChunk {
  /** Files (or hunk subsets of a large file) in this chunk. */
  parts: Array<{ file: FileDiff; hunkIndexes?: number[] | undefined }>;
  /** The numbered diff text of all parts. */
  text: string;
  estimatedTokens: number;
}

/**
 * Rough token count: Claude's tokenizer averages 3.5-4 characters a token on code;
 * the lower figure keeps chunks under budget.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/** Files where a security problem does most harm are reviewed first. */
const PRIORITY: Array<[RegExp, number]> = [
  [/(^|\/)settings(\/|\.py$|_)/, 0],
  [/(auth|permission|middleware|security)/i, 1],
  [/(views?|viewsets?|serializers?|api|urls)(\/|\.py$)/, 2],
  [/(^|\/)models?(\/|\.py$)|\/migrations\//, 3],
  [/(tasks|celery|consumers)(\/|\.py$)/, 4],
];
const priorityOf = (path: string) => PRIORITY.find(([pattern]) => pattern.test(path))?.[1] ?? 5;

/** `backend/<app>/...` → `<app>`: files of one Django app stay together. */
const appOf = (path: string) => path.split("/").slice(0, 2).join("/");

function partsOf(file: FileDiff, budget: number): DiffChunk[] {
  const whole = renderNumberedDiff(file);
  if (estimateTokens(whole) <= budget) return [{ parts: [{ file }], text: whole, estimatedTokens: estimateTokens(whole) }];
  // A file larger than one chunk is split at hunk boundaries, never inside a hunk.
  const pieces: DiffChunk[] = [];
  let indexes: number[] = [];
  const flush = () => {
    if (indexes.length === 0) return;
    const text = renderNumberedDiff(file, indexes);
    pieces.push({ parts: [{ file, hunkIndexes: indexes }], text, estimatedTokens: estimateTokens(text) });
    indexes = [];
  };
  for (const hunk of file.hunks) {
    const candidate = [...indexes, hunk.index];
    if (indexes.length > 0 && estimateTokens(renderNumberedDiff(file, candidate)) > budget) flush();
    indexes.push(hunk.index);
  }
  flush();
  return pieces;
}

/**
 * Groups reviewable files into chunks of at most `budgetTokens` (estimated), in
 * priority order, keeping each Django app's files together where they fit.
 */
export function chunkFiles(files: readonly FileDiff[], budgetTokens: number): DiffChunk[] {
  const ordered = files
    .filter((file) => file.hunks.length > 0)
    .sort((a, b) => priorityOf(a.path) - priorityOf(b.path) || appOf(a.path).localeCompare(appOf(b.path)) || a.path.localeCompare(b.path));
  const chunks: DiffChunk[] = [];
  let current: DiffChunk | undefined;
  for (const piece of ordered.flatMap((file) => partsOf(file, budgetTokens))) {
    if (current && current.estimatedTokens + piece.estimatedTokens <= budgetTokens) {
      current.parts.push(...piece.parts);
      current.text += `\n\n${piece.text}`;
      current.estimatedTokens += piece.estimatedTokens;
    } else {
      current = { ...piece, parts: [...piece.parts] };
      chunks.push(current);
    }
  }
  return chunks;
}
