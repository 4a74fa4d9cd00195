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

/** `backend/<app>/...` → `backend/<app>`: files of one Django app stay together. */
const appOf = (path: string) => path.split("/").slice(0, -1).slice(0, 2).join("/");

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
 * Orders files so that each Django app's files stay together (models, migrations,
 * serializers and views of one app in one request where they fit), security-heavy
 * files first inside an app, and the apps holding the riskiest files first.
 */
export function orderForReview(files: readonly FileDiff[]): FileDiff[] {
  const apps = new Map<string, FileDiff[]>();
  for (const file of files) apps.set(appOf(file.path), [...(apps.get(appOf(file.path)) ?? []), file]);
  const byRisk = (a: FileDiff, b: FileDiff) => priorityOf(a.path) - priorityOf(b.path) || a.path.localeCompare(b.path);
  const groups = [...apps.values()].map((group) => group.sort(byRisk));
  groups.sort((a, b) => byRisk(a[0]!, b[0]!));
  return groups.flat();
}

/**
 * Groups reviewable files into chunks of at most `budgetTokens` (estimated), in
 * {@link orderForReview} order; a file larger than a chunk is split at hunks.
 */
export function chunkFiles(files: readonly FileDiff[], budgetTokens: number): DiffChunk[] {
  const chunks: DiffChunk[] = [];
  let current: DiffChunk | undefined;
  const reviewable = orderForReview(files.filter((file) => file.hunks.length > 0));
  for (const piece of reviewable.flatMap((file) => partsOf(file, budgetTokens))) {
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
