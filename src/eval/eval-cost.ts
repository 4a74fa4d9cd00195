/**
 * What the starter set costs per model: the tokens a run used (a model run, a
 * replay, the fake API) priced at each model's list price, or — when the model was
 * not asked — the input tokens counted from the prompts the way `review --dry-run`
 * counts them, with the ceiling that `MODEL_MAX_OUTPUT_TOKENS` per request puts on output.
 */
import { emptyUsage, type TokenUsage } from "../engine/review-engine.js";
import { MODEL_ALIASES } from "../engine/models.js";
import { estimateCost } from "../engine/pricing.js";
import type { ConfigRun } from "./run-eval.js";

/** One model's estimate. */
export interface CostLine {
  model: string;
  costUsd: number;
  /** With every request's output at MODEL_MAX_OUTPUT_TOKENS (counted basis only). */
  ceilingUsd?: number | undefined;
}

/** The estimate and what it rests on. */
export interface CostEstimate {
  basis: string;
  usage: TokenUsage;
  lines: CostLine[];
}

/** Prices the run's tokens (or its counted prompts) for each shipped model alias. */
export function estimateStarterCost(runs: readonly ConfigRun[], maxOutputTokens: number): CostEstimate {
  const models = [...new Set([...Object.values(MODEL_ALIASES), ...runs.filter((r) => r.modelRan).map((r) => r.model)])];
  const measured = runs.find((r) => r.modelRan && r.usage.input + r.usage.cacheRead + r.usage.cacheWrite > 0);
  if (measured) {
    return {
      basis: `tokens of this run's model requests (config ${measured.config.name}, ${measured.requests} requests, ${measured.model})`,
      usage: measured.usage,
      lines: models.map((model) => ({ model, costUsd: estimateCost(model, measured.usage) })),
    };
  }
  const first = runs[0];
  const usage = { ...emptyUsage(), input: first?.estimatedInput ?? 0 };
  const requests = first?.requests ?? 0;
  return {
    basis: `input counted from the prompts as review --dry-run counts them (${requests} requests, no model call); ceiling: ${maxOutputTokens} output tokens per request`,
    usage,
    lines: models.map((model) => ({ model, costUsd: estimateCost(model, usage), ceilingUsd: estimateCost(model, { ...usage, output: requests * maxOutputTokens }) })),
  };
}
