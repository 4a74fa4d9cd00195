import PQueue from "p-queue";
import type { AgentDefinition } from "../agents/load-agent.js";
import { chunkFiles, estimateTokens, type DiffChunk } from "../diff/chunk.js";
import { commentableLines } from "../diff/commentable-lines.js";
import type { FileDiff } from "../diff/types.js";
import { estimateCost, formatCost, type PricePlace } from "../engine/pricing.js";
import type { ReviewMode } from "../engine/prompt.js";
import { addUsage, emptyUsage, type ModelClient, type TokenUsage } from "../engine/review-engine.js";
import { reviewChunk, systemWithInstructions, type RequestTools } from "../engine/review-with-tools.js";
import { addToolStats, noToolUse, type ToolTotals } from "../engine/tool-loop.js";
import type { PathInstruction } from "../agents/project-instructions.js";
import { apiErrorFields, messageOf } from "../errors.js";
import type { Finding } from "../domain/findings.js";
import { codeSpan } from "../review/neutralise.js";
import type { Candidate, Verdict } from "../rules/candidates.js";
import { chargeTo, type ReviewBudget, type SpendHooks } from "./budget.js";
import type { ReviewEventSink } from "./review-events.js";
import { allPathsOf, candidatesIn, chunkUserTurn, pathsOf } from "./chunk-turn.js";

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
  /** Findings dropped as malformed, one line each (`part 2: findings.0.confidence: …`); the rest of their chunk counted. */
  dropped: string[];
  /** What the model's tools did, when they were offered. */
  tools?: ToolTotals | undefined;
  /** Rule candidates carried by requests the model answered. */
  asked: number;
  /** The model's valid verdicts on the rule candidates its requests carried. */
  verdicts: Verdict[];
  /** Verdicts dropped as malformed, one line each (`part 1: verdicts.0.verdict: …`): their candidates are posted as found. */
  malformedVerdicts: string[];
}

/** Inputs of the model stage. */
export interface ModelStageInput {
  /** The model port: Anthropic's client or anything with its `messages.create`. */
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
  /** Told as chunks start and settle and as calls are billed. */
  onEvent?: ReviewEventSink | undefined;
  /** Read-only tools over the head commit (settings `tools: true` and a snapshot): each chunk may explore within these budgets. */
  tools?: RequestTools | undefined;
  /** The project's instruction files from the default branch (`loadProjectInstructions`): in the cached system part. */
  projectInstructions?: string | undefined;
  /** The config's path-scoped instructions: each chunk gets those matching its files. */
  instructions?: readonly PathInstruction[] | undefined;
  /** Rule hits for the model to confirm or reject: each goes with the chunk that holds its line. */
  candidates?: readonly Candidate[] | undefined;
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
  const result: ModelStageResult = { findings: [], usage: emptyUsage(), estimatedInput: 0, calls: 0, chunks: chunks.length, costUsd: 0, problems: [], unreviewed: [], failures: [], dropped: [], asked: 0, verdicts: [], malformedVerdicts: [] };
  const emit = input.onEvent ?? (() => undefined);
  let done = 0;
  emit({ type: "model-stage-started", model: input.model, files: allPathsOf(input.files).length, chunks: chunks.length });
  const settled = (part: number, outcome: "answered" | "failed" | "not sent", more: { findings?: number; dropped?: string[]; reason?: string; status?: number; requestId?: string } = {}) =>
    emit({ type: "chunk-done", part, parts: chunks.length, done: ++done, outcome, ...more });
  const queue = new PQueue({ concurrency: input.concurrency });
  const allPaths = allPathsOf(input.files);
  const byPath = new Map(input.files.map((f) => [f.path, f]));
  const systemTokens = estimateTokens(systemWithInstructions(input.agent, input.projectInstructions, input.tools !== undefined).map((b) => b.text).join(""));
  const toolTokens = input.tools?.budgets.tokens;
  const filesRead = new Set<string>();
  if (input.tools) result.tools = noToolUse();
  const { budget } = input;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), budget.maxSeconds * 1000);
  const signal = input.signal ? AbortSignal.any([deadline.signal, input.signal]) : deadline.signal;
  let sent = 0;
  let reservedInput = 0;

  const overBudget = (chunk: DiffChunk): string | undefined => {
    if (input.signal?.aborted) return "the branch moved to a newer commit";
    if (deadline.signal.aborted) return `the time budget (${budget.maxSeconds} s) ran out`;
    if (sent >= budget.maxChunks) return `the request budget (${budget.maxChunks} requests) was reached`;
    // Tool rounds spend input too: what they used counts against the review's input budget.
    if (reservedInput + (toolTokens?.used ?? 0) + chunk.estimatedTokens + systemTokens > budget.maxInputTokens) return `the input budget (${budget.maxInputTokens} tokens) was reached`;
    if (estimateCost(input.model, result.usage, input.place) >= budget.maxCostUsd) return budget.costCeiling ?? `the cost budget (${formatCost(budget.maxCostUsd)}) was reached`;
    return undefined;
  };
  // Every call is counted as it answers, failed and retried ones included: they are billed.
  const charge = chargeTo(input.spend, input.model, input.place);
  const onUsage = async (usage: TokenUsage) => {
    addUsage(result.usage, usage);
    emit({ type: "usage", usage, costUsd: estimateCost(input.model, usage, input.place) });
    await charge(usage);
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
            settled(i + 1, "not sent", { reason: stop });
            return;
          }
          emit({ type: "chunk-started", part: i + 1, parts: chunks.length, paths });
          sent++;
          reservedInput += chunk.estimatedTokens + systemTokens;
          const user = chunkUserTurn(chunks, i, allPaths, input);
          const offered = new Set(candidatesIn(chunk, input.candidates).map((c) => c.id));
          try {
            // Without tools and project instructions this is the plain structured call.
            const answer = await reviewChunk(
              input.client, { model: input.model, maxOutputTokens: input.maxOutputTokens },
              { agent: input.agent, user, projectInstructions: input.projectInstructions, signal, onUsage },
              input.tools,
              offered,
            );
            if (answer.tools && result.tools) addToolStats(result.tools, answer.tools, filesRead);
            result.calls += answer.calls;
            result.estimatedInput += (systemTokens + estimateTokens(user)) * answer.calls;
            for (const f of answer.output.findings) {
              const finding: Finding = { ...f, startLine: f.startLine ?? undefined, suggestion: f.suggestion ?? undefined, source: "model" };
              if (!input.context || onIncrement(finding, byPath)) result.findings.push(finding);
            }
            result.dropped.push(...answer.output.dropped.map((d) => `part ${i + 1}: ${d}`));
            result.asked += offered.size;
            result.verdicts.push(...answer.output.verdicts.verdicts);
            result.malformedVerdicts.push(...answer.output.verdicts.malformed.map((d) => `part ${i + 1}: ${d}`));
            settled(i + 1, "answered", { findings: answer.output.findings.length, dropped: answer.output.dropped });
          } catch (error) {
            result.calls += 1;
            if (input.signal?.aborted) {
              result.unreviewed.push(...paths.map((path) => ({ path, reason: "not reviewed: the branch moved to a newer commit" })));
              settled(i + 1, "not sent", { reason: "the branch moved to a newer commit" });
              return;
            }
            settled(i + 1, "failed", { reason: messageOf(error), ...apiErrorFields(error) });
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
