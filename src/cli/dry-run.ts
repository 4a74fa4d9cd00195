/**
 * `backend-agent review --dry-run`: what a review would send, before and without
 * any model call (no key needed) — the files the model would read and those it
 * would skip, the chunks, and the estimated input tokens and cost — so a large
 * change can be sized, or `paths`/`ignore` tuned, before money is spent.
 */
import { chunkFiles, estimateTokens } from "../diff/chunk.js";
import { estimateCost, formatCost } from "../engine/pricing.js";
import { modelMissing } from "../engine/providers/provider-settings.js";
import { buildSystem } from "../engine/prompt.js";
import { withToolsNote } from "../engine/tool-loop.js";
import { toolsForAgent } from "../engine/tools/agent-tools.js";
import { emptyUsage } from "../engine/review-engine.js";
import { budgetOf } from "../core/budget.js";
import { chunkUserTurn } from "../core/chunk-turn.js";
import { toCandidates } from "../rules/candidates.js";
import type { LocalReviewOptions } from "./local-review.js";
import { prepareLocalReview, reviewTitle } from "./local-review.js";

/** One request the model would get. */
export interface PlannedChunk {
  /** The chunk's files; a file split across chunks names its hunks. */
  files: Array<{ path: string; hunks: number[] | null }>;
  /** Estimated input of the request: system prompt, framing and diff. */
  inputTokens: number;
}

/** What a review would do, without doing its model stage. */
export interface ReviewPlan {
  range: { baseRef: string; base: string; head: string };
  paths: string[];
  model: string;
  /** Why the model would not be asked (no key, --rules-only); undefined: it would. */
  modelSkipped?: string | undefined;
  /** For the model. */
  files: string[];
  /** In `paths` but left to the rules, with the reason. */
  skipped: Array<{ path: string; reason: string }>;
  /** In `paths` without a text diff: the review would be incomplete. */
  unreviewable: Array<{ path: string; reason: string }>;
  /** Files whose diff the rules would read. */
  rulesFiles: number;
  chunks: PlannedChunk[];
  estimate: { inputTokens: number; maxOutputTokens: number; inputCostUsd: number; maxCostUsd: number };
  /** Budgets (MAX_REVIEW_*) the estimate exceeds: the review would stop there and leave files unreviewed. */
  overBudget: string[];
}

const n = (value: number) => value.toLocaleString("en-US");
const plural = (count: number, word: string) => `${n(count)} ${word}${count === 1 ? "" : "s"}`;

/** Plans the review of `options` (throws {@link UserFacingError} as a review would). */
export async function planLocalReview(options: LocalReviewOptions): Promise<ReviewPlan> {
  const { env } = options;
  const { root, headCommit, range, settings, agent, model, prepared } = await prepareLocalReview(options);
  const chunks = chunkFiles(prepared.redacted, env.CHUNK_INPUT_TOKENS);
  // As the review will send it: with tools (the working tree) when the settings and the agent allow them.
  const tools = settings.tools && toolsForAgent(agent.tools).length > 0;
  const systemTokens = estimateTokens(buildSystem(agent, { tools }).map((b) => b.text).join(""));
  const title = await reviewTitle(root, options.head, headCommit);
  // The rules' hits the model would be asked to confirm travel in the same turns.
  const candidates = settings.confirmRules ? toCandidates(prepared.ruleFindings, prepared.diffs) : [];
  const planned = chunks.map((chunk, i): PlannedChunk => {
    // The same user turn the model stage builds, so the estimate counts its framing too.
    const turn = chunkUserTurn(chunks, i, prepared.reviewed, { mode: "review", minConfidence: settings.minConfidence, title, chunkTokens: env.CHUNK_INPUT_TOKENS, instructions: settings.instructions, candidates });
    const user = tools ? withToolsNote(turn) : turn;
    return { files: chunk.parts.map((p) => ({ path: p.file.path, hunks: p.hunkIndexes ?? null })), inputTokens: systemTokens + estimateTokens(user) };
  });
  const inputTokens = planned.reduce((sum, c) => sum + c.inputTokens, 0);
  const maxOutputTokens = planned.length * env.MODEL_MAX_OUTPUT_TOKENS;
  const inputCostUsd = estimateCost(model, { ...emptyUsage(), input: inputTokens }, env);
  const maxCostUsd = estimateCost(model, { ...emptyUsage(), input: inputTokens, output: maxOutputTokens }, env);
  const budget = budgetOf(env);
  const overBudget = [
    ...(planned.length > budget.maxChunks ? [`MAX_REVIEW_CHUNKS (${n(budget.maxChunks)} requests; this review needs ${n(planned.length)})`] : []),
    ...(inputTokens > budget.maxInputTokens ? [`MAX_REVIEW_INPUT_TOKENS (${n(budget.maxInputTokens)} tokens; estimated ${n(inputTokens)})`] : []),
    ...(inputCostUsd > budget.maxCostUsd ? [`MAX_REVIEW_COST_USD (${formatCost(budget.maxCostUsd)}; the input alone is ~${formatCost(inputCostUsd)})`] : []),
  ];
  const modelSkipped = prepared.reviewed.length === 0
    ? undefined
    : options.rulesOnly
      ? "--rules-only"
      : modelMissing(env);
  return {
    range, paths: settings.paths, model, modelSkipped,
    files: prepared.reviewed, skipped: prepared.skipped, unreviewable: prepared.unreviewed,
    rulesFiles: prepared.diffs.filter((d) => d.hunks.length > 0).length,
    chunks: planned,
    estimate: { inputTokens, maxOutputTokens, inputCostUsd, maxCostUsd },
    overBudget,
  };
}

/** The plan as text for a person. */
export function formatPlanText(plan: ReviewPlan): string {
  const { range, estimate } = plan;
  const out = [`backend-agent review --dry-run of ${range.head} against ${range.baseRef} (merge-base ${range.base.slice(0, 7)}): no model call made`, ""];
  if (plan.files.length === 0 && plan.skipped.length === 0 && plan.unreviewable.length === 0) {
    out.push(`Nothing to review: no changed file matches ${plan.paths.join(", ")}.`);
    return `${out.join("\n")}\n`;
  }
  out.push(`Files for the model (${n(plan.files.length)}):`, ...plan.files.map((p) => `  ${p}`));
  if (plan.skipped.length) out.push(`Skipped by the model, read by the rules (${n(plan.skipped.length)}):`, ...plan.skipped.map((s) => `  ${s.path} (${s.reason})`));
  if (plan.unreviewable.length) out.push(`Not reviewable, the review would be incomplete (${n(plan.unreviewable.length)}):`, ...plan.unreviewable.map((u) => `  ${u.path} (${u.reason.replace(/^not reviewed: /, "")})`));
  out.push("");
  if (plan.chunks.length) {
    out.push(`Chunks (${n(plan.chunks.length)} request${plan.chunks.length === 1 ? "" : "s"} to ${plan.model}):`);
    plan.chunks.forEach((chunk, i) => {
      const files = chunk.files.map((f) => (f.hunks ? `${f.path} (hunks ${f.hunks.map((h) => h + 1).join(", ")})` : f.path));
      out.push(`  ${i + 1}. ~${n(chunk.inputTokens)} tokens: ${files.join(", ")}`);
    });
    out.push(
      `Estimated input: ~${n(estimate.inputTokens)} tokens, ~${formatCost(estimate.inputCostUsd)}; with every answer at its ${n(estimate.maxOutputTokens / plan.chunks.length)}-token limit at most ~${formatCost(estimate.maxCostUsd)} (list prices, before prompt caching).`,
    );
    for (const budget of plan.overBudget) out.push(`! over ${budget}: the review would stop there and list the rest as not reviewed.`);
  }
  out.push(`The rules would read ${plural(plan.rulesFiles, "file")}.`);
  if (plan.modelSkipped) out.push(`${plan.modelSkipped}: a review now would run the rules only; the estimate is what the model would take.`);
  return `${out.join("\n")}\n`;
}
