import { estimateCost, priceOf, UNKNOWN_MODEL_PRICE } from "../../../src/engine/pricing.js";

const million = { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0 };

describe("model prices", () => {
  it.each([
    ["claude-sonnet-5-5", 3, 15],
    ["claude-opus-5-5", 5, 25],
    ["claude-opus-4-5-20251101", 5, 25],
    ["claude-haiku-5-5", 1, 5],
    ["claude-opus-4-20250514", 15, 75],
    ["claude-opus-4-0", 15, 75],
    ["claude-opus-4-1-20250805", 15, 75],
    ["claude-3-opus-20240229", 15, 75],
    ["claude-3-5-haiku-20241022", 0.8, 4],
    ["claude-3-haiku-20240307", 0.25, 1.25],
    ["Claude-Sonnet-5-5", 3, 15],
  ])("prices %s at $%s/$%s per million tokens", (model, input, output) => {
    expect(priceOf(model)).toEqual({ input, output });
  });

  it("prices an unknown model id at the dearest known rate, never lower", () => {
    expect(UNKNOWN_MODEL_PRICE).toEqual({ input: 15, output: 75 });
    for (const model of ["gpt-5", "my-gateway/cheap", "", "opus"]) expect(priceOf(model)).toEqual(UNKNOWN_MODEL_PRICE);
    expect(estimateCost("some-new-model", million)).toBe(90);
    expect(estimateCost("some-new-model", million)).toBeGreaterThanOrEqual(estimateCost("claude-opus-4-1", million));
  });

  it("bills cache writes at 1.25× and cache reads at 0.1× the input price", () => {
    expect(estimateCost("claude-sonnet-5-5", { input: 0, output: 0, cacheWrite: 1_000_000, cacheRead: 1_000_000 })).toBeCloseTo(3 * 1.25 + 3 * 0.1, 9);
  });
});
