/**
 * What the model is sent for one chunk: its numbered diff, the rule candidates on its
 * lines, the other files' names and, in an incremental review, the PR's diff of its
 * files as context. Shared by the model stage and the CLI's dry run, which sizes its
 * estimate from the same turn.
 */
import { estimateTokens, type DiffChunk } from "../diff/chunk.js";
import { renderNumberedDiff } from "../diff/render.js";
import type { FileDiff } from "../diff/types.js";
import { buildUserMessage } from "../engine/prompt.js";
import { instructionsFor } from "../agents/project-instructions.js";
import { candidateBlock, type Candidate } from "../rules/candidates.js";
import type { ModelStageInput } from "./model-stage.js";

/** Paths of other files named in a request, so the model knows they exist; capped to keep requests lean. */
const OTHER_FILES_LISTED = 40;

/** The paths of the files with a change to review. */
export const allPathsOf = (files: readonly FileDiff[]) => files.filter((f) => f.hunks.length > 0).map((f) => f.path);
/** The paths of a chunk's files. */
export const pathsOf = (chunk: DiffChunk) => [...new Set(chunk.parts.map((p) => p.file.path))];

/** The whole-PR diff of the chunk's files, file by file while it fits in `room` tokens. */
function contextFor(paths: string[], context: FileDiff[] | undefined, room: number): string | undefined {
  const parts: string[] = [];
  let used = 0;
  for (const file of context ?? []) {
    if (!paths.includes(file.path) || file.hunks.length === 0) continue;
    const text = renderNumberedDiff(file).replace(/^### (.*) — /, "#### context: $1 — ");
    if (used + estimateTokens(text) > room) continue;
    parts.push(text);
    used += estimateTokens(text);
  }
  return parts.length ? parts.join("\n\n") : undefined;
}

/** The candidates whose line is in `chunk` (a file split over chunks: the part with the line's hunk). */
export function candidatesIn(chunk: DiffChunk, candidates: readonly Candidate[] = []): Candidate[] {
  return candidates.filter(({ finding }) =>
    chunk.parts.some((part) =>
      part.file.path === finding.path &&
      part.file.hunks.some((h) =>
        (!part.hunkIndexes || part.hunkIndexes.includes(h.index)) &&
        h.lines.some((l) => (finding.side === "LEFT" ? l.kind !== "add" && l.oldLine === finding.line : l.kind !== "del" && l.newLine === finding.line)),
      ),
    ),
  );
}

/**
 * The user turn of chunk `i`: its numbered diff, framed, with the other files' names
 * and, in an incremental review, the PR's diff of its files as context. The dry run
 * (src/cli/dry-run.ts) sizes its estimate from the same turn.
 */
export function chunkUserTurn(
  chunks: readonly DiffChunk[],
  i: number,
  allPaths: readonly string[],
  input: Pick<ModelStageInput, "mode" | "minConfidence" | "title" | "context" | "chunkTokens" | "instructions" | "candidates">,
): string {
  const chunk = chunks[i]!;
  const paths = pathsOf(chunk);
  const candidates = candidatesIn(chunk, input.candidates);
  return buildUserMessage(chunk.text, {
    mode: input.mode,
    minConfidence: input.minConfidence,
    part: i + 1,
    parts: chunks.length,
    title: input.title,
    otherFiles: chunks.length > 1 ? allPaths.filter((p) => !paths.includes(p)).slice(0, OTHER_FILES_LISTED) : [],
    prContext: contextFor(paths, input.context, input.chunkTokens - chunk.estimatedTokens),
    instructions: instructionsFor(paths, input.instructions ?? []),
    candidates: candidates.length ? candidateBlock(candidates) : undefined,
  });
}
