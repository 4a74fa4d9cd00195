import type Anthropic from "@anthropic-ai/sdk";
import PQueue from "p-queue";
import type { AgentDefinition } from "../agents/load-agent.js";
import { chunkFiles } from "../diff/chunk.js";
import type { FileDiff } from "../diff/types.js";
import { buildUserMessage, type ReviewMode } from "../engine/prompt.js";
import { addUsage, emptyUsage, reviewChunk, type TokenUsage } from "../engine/review-engine.js";
import { messageOf } from "../errors.js";
import type { Finding } from "../types.js";

/** What the model stage produced across all chunks. */
export interface ModelStageResult {
  findings: Finding[];
  usage: TokenUsage;
  calls: number;
  chunks: number;
  /** One line per chunk that failed; the other chunks' findings still count. */
  problems: string[];
}

/** Inputs of the model stage. */
export interface ModelStageInput {
  client: Anthropic;
  agent: AgentDefinition;
  model: string;
  maxOutputTokens: number;
  chunkTokens: number;
  concurrency: number;
  mode: ReviewMode;
  minConfidence: number;
  title: string;
  /** Diffs with secrets already redacted: this text leaves the process. */
  files: FileDiff[];
}

/**
 * Splits the diff into chunks and reviews them concurrently. A chunk that fails
 * is reported and the others go on: a partial review beats none.
 */
export async function reviewWithModel(input: ModelStageInput): Promise<ModelStageResult> {
  const chunks = chunkFiles(input.files, input.chunkTokens);
  const result: ModelStageResult = { findings: [], usage: emptyUsage(), calls: 0, chunks: chunks.length, problems: [] };
  const queue = new PQueue({ concurrency: input.concurrency });
  const allPaths = input.files.filter((f) => f.hunks.length > 0).map((f) => f.path);
  await Promise.all(
    chunks.map((chunk, i) =>
      queue.add(async () => {
        const inChunk = new Set(chunk.parts.map((p) => p.file.path));
        const user = buildUserMessage(chunk.text, {
          mode: input.mode,
          minConfidence: input.minConfidence,
          part: i + 1,
          parts: chunks.length,
          title: input.title,
          otherFiles: allPaths.filter((p) => !inChunk.has(p)),
        });
        try {
          const answer = await reviewChunk(input.client, { model: input.model, maxOutputTokens: input.maxOutputTokens }, input.agent, user);
          result.calls += answer.calls;
          addUsage(result.usage, answer.usage);
          for (const f of answer.output.findings) {
            result.findings.push({
              ...f,
              startLine: f.startLine ?? undefined,
              suggestion: f.suggestion ?? undefined,
              source: "model",
            });
          }
        } catch (error) {
          result.calls += 1;
          const files = [...inChunk].map((p) => `\`${p}\``).join(", ");
          result.problems.push(`Part ${i + 1} of ${chunks.length} (${files}) was not reviewed by the model: ${messageOf(error)}`);
        }
      }),
    ),
  );
  return result;
}
