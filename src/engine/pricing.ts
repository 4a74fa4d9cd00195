import type { TokenUsage } from "./review-engine.js";

/** US dollars per million tokens. */
interface Price {
  input: number;
  output: number;
}

/**
 * List prices, the one place to update them. Cache writes cost 1.25× input and
 * cache reads 0.1× input (5-minute cache), as Anthropic bills them. The first
 * matching prefix wins, so the older, dearer Opus ids (Opus 4 and 4.1 at $15/$75)
 * come before the family's current price.
 */
const PRICES: ReadonlyArray<[prefix: string, price: Price]> = [
  ["claude-3-opus", { input: 15, output: 75 }],
  ["claude-opus-4-0", { input: 15, output: 75 }],
  ["claude-opus-4-1", { input: 15, output: 75 }],
  ["claude-opus-4-2025", { input: 15, output: 75 }],
  ["claude-opus", { input: 5, output: 25 }],
  ["claude-3-5-sonnet", { input: 3, output: 15 }],
  ["claude-3-7-sonnet", { input: 3, output: 15 }],
  ["claude-sonnet", { input: 3, output: 15 }],
  ["claude-3-haiku", { input: 0.25, output: 1.25 }],
  ["claude-3-5-haiku", { input: 0.8, output: 4 }],
  ["claude-haiku", { input: 1, output: 5 }],
];

/**
 * An id the table does not know (a repo config or a gateway may name anything) is
 * priced at the dearest known rate, so that budgets and spend ceilings never
 * under-count it.
 */
export const UNKNOWN_MODEL_PRICE: Readonly<Price> = {
  input: Math.max(...PRICES.map(([, p]) => p.input)),
  output: Math.max(...PRICES.map(([, p]) => p.output)),
};

/** The price of `model` per million tokens; the dearest known rate for an unknown id. */
export function priceOf(model: string): Readonly<Price> {
  const id = model.trim().toLowerCase();
  return PRICES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? UNKNOWN_MODEL_PRICE;
}

/** The estimated cost in dollars of `usage` on `model` (an unknown model is priced like the dearest). */
export function estimateCost(model: string, usage: TokenUsage): number {
  const price = priceOf(model);
  const inputEquivalent = usage.input + usage.cacheWrite * 1.25 + usage.cacheRead * 0.1;
  return (inputEquivalent * price.input + usage.output * price.output) / 1_000_000;
}

/** `$0.0123` */
export const formatCost = (dollars: number) => `$${dollars < 0.01 ? dollars.toFixed(4) : dollars.toFixed(2)}`;
