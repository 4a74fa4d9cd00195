import type { ModelClient } from "../engine/anthropic-client.js";
import PQueue from "p-queue";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { chunkFiles, estimateTokens, type DiffChunk } from "../diff/chunk.js";
import { commentableLines } from "../diff/commentable-lines.js";
import { renderNumberedDiff } from "../diff/render.js";
import type { FileDiff } from "../diff/types.js";
import { estimateCost, formatCost, type PricePlace } from "../engine/pricing.js";
import { buildSystem, buildUserMessage, type ReviewMode } from "../engine/prompt.js";
import { addUsage, emptyUsage, reviewChunk, type TokenUsage } from "../engine/review-engine.js";
import { messageOf } from "../errors.js";
import type { Finding } from "../types.js";
import { codeSpan } from "./neutralise.js";

/** Limits of one review's model stage; past one, the rest of the diff is reported as not reviewed. */
export interface ReviewBudget {
  maxInputTokens: number;
  maxChunks: number;
  maxSeconds: number;
  maxCostUsd: number;
  /** Set when a daily spend ceiling, not MAX_REVIEW_COST_USD, bounds `maxCostUsd`: why the review stops there. */
  costCeiling?: string | undefined;
}

/**
 * Lowers the review's cost budget to what the tightest daily ceiling has left, and
 * remembers that ceiling's reason for the files it leaves unreviewed.
 */
export function capBudget(budget: ReviewBudget, headroom: ReadonlyArray<{ usd: number; reason: string }>): ReviewBudget {
  const tightest = headroom.reduce<{ usd: number; reason: string } | undefined>((min, h) => (h.usd < (min?.usd ?? Infinity) ? h : min), undefined);
  if (!tightest || tightest.usd >= budget.maxCostUsd) return budget;
  return { ...budget, maxCostUsd: Math.max(0, tightest.usd), costCeiling: tightest.reason };
}

/** What the model stage asks before each request and tells after each call: the daily spend ceilings (src/spend). */
export interface SpendHooks {
  /** Why no further request may go out, or undefined. */
  exhausted(): Promise<string | undefined>;
  /** One answered call's cost; resolves once counted. */
  charge(usd: number, tokens: number): Promise<void>;
}

/** The review budget the environment sets (MAX_REVIEW_*). */
export function budgetOf(env: Pick<Env, "MAX_REVIEW_INPUT_TOKENS" | "MAX_REVIEW_CHUNKS" | "MAX_REVIEW_SECONDS" | "MAX_REVIEW_COST_USD">): ReviewBudget {
  return {
    maxInputTokens: env.MAX_REVIEW_INPUT_TOKENS,
    maxChunks: env.MAX_REVIEW_CHUNKS,
    maxSeconds: env.MAX_REVIEW_SECONDS,
    maxCostUsd: env.MAX_REVIEW_COST_USD,
  };
}

/** What the model stage produced across all chunks. */
export interface ModelStageResult {
  findings: Finding[];
  usage: TokenUsage;
  /**
   * What the chunking estimate (characters / 3.5) said those answered requests would
   * take as input, to set beside the API's own count (`usage`) in the log: how close
   * the estimate that sizes the chunks really is, on real traffic.
   */
  estimatedInput: number;
  calls: number;
  chunks: number;
  costUsd: number;
  /** One line per chunk that failed or was not sent; the other chunks' findings still count. */
  problems: string[];
  /** Files (or parts of files) the model did not review, with the reason. */
  unreviewed: Array<{ path: string; reason: string }>;
  /** Why each failed request failed, one line each (no budget stops): what a caller tells when the model failed. */
  failures: string[];
}

/** Inputs of the model stage. */
export interface ModelStageInput {
  client: ModelClient;
  agent: AgentDefinition;
  model: string;
  /** Where the model runs, for its price (the Anthropic API when unset). */
  place?: PricePlace | undefined;
  maxOutputTokens: number;
  chunkTokens: number;
  concurrency: number;
  mode: ReviewMode;
  minConfidence: number;
  title: string;
  budget: ReviewBudget;
  /** Diffs with secrets already redacted: this text leaves the process. */
  files: FileDiff[];
  /**
   * Incremental review: `files` is the change since the last review, and these are the
   * whole PR's (redacted) diffs, sent beside each chunk as context where the chunk
   * budget leaves room. Findings are then kept only on the increment's lines.
   */
  context?: FileDiff[] | undefined;
  /** Daily spend ceilings, checked before each request and charged as calls answer. */
  spend?: SpendHooks | undefined;
  /** Aborted when the review is no longer wanted (its PR moved to a newer head): in-flight calls stop, no more go out. */
  signal?: AbortSignal | undefined;
}

/** Paths of other files named in a request, so the model knows they exist; capped to keep requests lean. */
const OTHER_FILES_LISTED = 40;

const pathsOf = (chunk: DiffChunk) => [...new Set(chunk.parts.map((p) => p.file.path))];

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

/** In an incremental review, a finding counts only on a line of the increment. */
function onIncrement(finding: Finding, files: Map<string, FileDiff>): boolean {
  const file = files.get(finding.path);
  return file !== undefined && commentableLines(file)[finding.side].has(finding.line);
}

/**
 * Splits the diff into chunks and reviews them concurrently within the budget.
 * A chunk that fails is reported and the others go on; once a budget is spent the
 * remaining chunks are not sent and their files are listed: a partial review that
 * says what it skipped beats none.
 */
export async function reviewWithModel(input: ModelStageInput): Promise<ModelStageResult> {
  const chunks = chunkFiles(input.files, input.chunkTokens);
  const result: ModelStageResult = { findings: [], usage: emptyUsage(), estimatedInput: 0, calls: 0, chunks: chunks.length, costUsd: 0, problems: [], unreviewed: [], failures: [] };
  const queue = new PQueue({ concurrency: input.concurrency });
  const allPaths = input.files.filter((f) => f.hunks.length > 0).map((f) => f.path);
  const byPath = new Map(input.files.map((f) => [f.path, f]));
  const systemTokens = estimateTokens(buildSystem(input.agent).map((b) => b.text).join(""));
  const { budget } = input;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), budget.maxSeconds * 1000);
  const signal = input.signal ? AbortSignal.any([deadline.signal, input.signal]) : deadline.signal;
  let sent = 0;
  let reservedInput = 0;
  const tokensOf = (u: TokenUsage) => u.input + u.output + u.cacheRead + u.cacheWrite;

  const overBudget = (chunk: DiffChunk): string | undefined => {
    if (input.signal?.aborted) return "the branch moved to a newer commit";
    if (deadline.signal.aborted) return `the time budget (${budget.maxSeconds} s) ran out`;
    if (sent >= budget.maxChunks) return `the request budget (${budget.maxChunks} requests) was reached`;
    if (reservedInput + chunk.estimatedTokens + systemTokens > budget.maxInputTokens) return `the input budget (${budget.maxInputTokens} tokens) was reached`;
    if (estimateCost(input.model, result.usage, input.place) >= budget.maxCostUsd) return budget.costCeiling ?? `the cost budget (${formatCost(budget.maxCostUsd)}) was reached`;
    return undefined;
  };
  // Every call is counted as it answers, failed and retried ones included: they are billed.
  const onUsage = async (usage: TokenUsage) => {
    addUsage(result.usage, usage);
    await input.spend?.charge(estimateCost(input.model, usage, input.place), tokensOf(usage));
  };

  try {
    await Promise.all(
      chunks.map((chunk, i) =>
        queue.add(async () => {
          const paths = pathsOf(chunk);
          // The ceilings are read afresh before each request (first: the ledger, which also
          // knows other reviews' spend), so reviews running at once overshoot a ceiling by
          // at most the requests they have in flight.
          const stop = (await input.spend?.exhausted()) ?? overBudget(chunk);
          if (stop) {
            result.unreviewed.push(...paths.map((path) => ({ path, reason: `not reviewed: ${stop}` })));
            return;
          }
          sent++;
          reservedInput += chunk.estimatedTokens + systemTokens;
          const user = buildUserMessage(chunk.text, {
            mode: input.mode,
            minConfidence: input.minConfidence,
            part: i + 1,
            parts: chunks.length,
            title: input.title,
            otherFiles: chunks.length > 1 ? allPaths.filter((p) => !paths.includes(p)).slice(0, OTHER_FILES_LISTED) : [],
            prContext: contextFor(paths, input.context, input.chunkTokens - chunk.estimatedTokens),
          });
          try {
            const answer = await reviewChunk(input.client, { model: input.model, maxOutputTokens: input.maxOutputTokens }, input.agent, user, signal, onUsage);
            result.calls += answer.calls;
            result.estimatedInput += (systemTokens + estimateTokens(user)) * answer.calls;
            for (const f of answer.output.findings) {
              const finding: Finding = { ...f, startLine: f.startLine ?? undefined, suggestion: f.suggestion ?? undefined, source: "model" };
              if (!input.context || onIncrement(finding, byPath)) result.findings.push(finding);
            }
          } catch (error) {
            result.calls += 1;
            if (input.signal?.aborted) {
              result.unreviewed.push(...paths.map((path) => ({ path, reason: "not reviewed: the branch moved to a newer commit" })));
              return;
            }
            result.failures.push(messageOf(error));
            result.problems.push(`Part ${i + 1} of ${chunks.length} (${paths.map(codeSpan).join(", ")}) was not reviewed by the model: ${messageOf(error)}`);
            result.unreviewed.push(...paths.map((path) => ({ path, reason: "not reviewed: the model request failed" })));
          }
        }),
      ),
    );
  } finally {
    clearTimeout(timer);
  }
  const skipped = new Set(result.unreviewed.filter((u) => /budget|ceiling|spend ledger/.test(u.reason)).map((u) => u.reason));
  for (const reason of skipped) {
    const count = result.unreviewed.filter((u) => u.reason === reason).length;
    result.problems.push(`${count} file${count === 1 ? "" : "s"} ${reason.replace(/^not reviewed: /, "were not reviewed: ")}. They are listed below.`);
  }
  result.costUsd = estimateCost(input.model, result.usage, input.place);
  return result;
}
