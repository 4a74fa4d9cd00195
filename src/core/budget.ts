/**
 * What a review may spend: the per-review budget (MAX_REVIEW_*), lowered to what the
 * daily spend ceilings (src/spend) have left, and how each answered call is charged.
 */
import type { Env } from "../config/env.js";
import { estimateCost, type PricePlace } from "../engine/pricing.js";
import type { TokenUsage } from "../engine/review-engine.js";

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

/** Charges each answered call to the daily ceilings (none: nothing to charge), at `model`'s price. */
export function chargeTo(spend: SpendHooks | undefined, model: string, place?: PricePlace): (usage: TokenUsage) => Promise<void> {
  return async (usage) => {
    await spend?.charge(estimateCost(model, usage, place), usage.input + usage.output + usage.cacheRead + usage.cacheWrite);
  };
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
