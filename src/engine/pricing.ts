import type { Env } from "../config/env.js";
import type { TokenUsage } from "./review-engine.js";

/** US dollars per million tokens. */
interface Price {
  input: number;
  output: number;
}

/** Where the tokens were bought: the provider, and its region where that changes the price. */
export type PricePlace = Pick<Env, "MODEL_PROVIDER"> & Partial<Pick<Env, "CLOUD_ML_REGION">>;

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

/** Bedrock's and Vertex's decorations of an id: `global.anthropic.` before it, `@20250929` or `-v1:0` after it. */
const PROVIDER_DECORATION = /^(?:[a-z-]{2,7}\.)?anthropic\.|@\d+$|-v\d+(?::\d+)?$/g;

/** Families billed 10% more on a regional endpoint (Bedrock's geographic profiles, Vertex's regions): Sonnet 4.5 and later. */
const OLDER = /^claude-(?:3|opus-4-(?:0|1|2025)|sonnet-4-2025)/;

/**
 * The price of `model` per million tokens on `place` (the Anthropic API by default); the
 * dearest known rate for an unknown id. Bedrock, Vertex AI and Foundry bill Anthropic's list
 * prices; Bedrock's regional inference profiles (`us.`, `eu.`…) and Vertex AI's regional
 * endpoints add 10% for the models from Sonnet 4.5 on, the global ones do not.
 */
export function priceOf(model: string, place?: PricePlace): Readonly<Price> {
  const raw = model.trim().toLowerCase();
  const id = raw.replace(PROVIDER_DECORATION, "");
  const price = PRICES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? UNKNOWN_MODEL_PRICE;
  const regional =
    // An inference-profile ARN does not say its geography: priced as regional, never under-counted.
    (place?.MODEL_PROVIDER === "bedrock" && !raw.startsWith("global.")) ||
    (place?.MODEL_PROVIDER === "vertex" && place.CLOUD_ML_REGION !== "global");
  if (!regional || OLDER.test(id) || price === UNKNOWN_MODEL_PRICE) return price;
  return { input: price.input * 1.1, output: price.output * 1.1 };
}

/** The estimated cost in dollars of `usage` on `model` (an unknown model is priced like the dearest). */
export function estimateCost(model: string, usage: TokenUsage, place?: PricePlace): number {
  const price = priceOf(model, place);
  const inputEquivalent = usage.input + usage.cacheWrite * 1.25 + usage.cacheRead * 0.1;
  return (inputEquivalent * price.input + usage.output * price.output) / 1_000_000;
}

/** `$0.0123` */
export const formatCost = (dollars: number) => `$${dollars < 0.01 ? dollars.toFixed(4) : dollars.toFixed(2)}`;
