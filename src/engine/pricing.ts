import type { TokenUsage } from "./review-engine.js";

/** US dollars per million tokens. */
interface Price {
  input: number;
  output: number;
}

/**
 * List prices, the one place to update them. Cache writes cost 1.25× input and
 * cache reads 0.1× input (5-minute cache), as Anthropic bills them.
 */
const PRICES: ReadonlyArray<[prefix: string, price: Price]> = [
  ["claude-opus", { input: 5, output: 25 }],
  ["claude-sonnet", { input: 3, output: 15 }],
  ["claude-haiku", { input: 1, output: 5 }],
];
const UNKNOWN: Price = { input: 5, output: 25 };

/** The estimated cost in dollars of `usage` on `model` (an unknown model is priced like the dearest). */
export function estimateCost(model: string, usage: TokenUsage): number {
  const price = PRICES.find(([prefix]) => model.startsWith(prefix))?.[1] ?? UNKNOWN;
  const inputEquivalent = usage.input + usage.cacheWrite * 1.25 + usage.cacheRead * 0.1;
  return (inputEquivalent * price.input + usage.output * price.output) / 1_000_000;
}

/** `$0.0123` */
export const formatCost = (dollars: number) => `$${dollars < 0.01 ? dollars.toFixed(4) : dollars.toFixed(2)}`;
