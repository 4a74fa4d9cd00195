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

  describe("per provider", () => {
    const bedrock = { MODEL_PROVIDER: "bedrock" as const };
    it.each([
      ["global.anthropic.claude-sonnet-5-5", bedrock, 3, 15],
      ["us.anthropic.claude-sonnet-5-5", bedrock, 3.3, 16.5],
      ["eu.anthropic.claude-sonnet-4-5-20250929-v1:0", bedrock, 3.3, 16.5],
      // Older models have no regional premium.
      ["us.anthropic.claude-opus-4-1-20250805-v1:0", bedrock, 15, 75],
      ["claude-sonnet-5-5", { MODEL_PROVIDER: "vertex" as const, CLOUD_ML_REGION: "global" }, 3, 15],
      ["claude-sonnet-4-5@20250929", { MODEL_PROVIDER: "vertex" as const, CLOUD_ML_REGION: "us-east5" }, 3.3, 16.5],
      ["claude-haiku-5-5", { MODEL_PROVIDER: "foundry" as const }, 1, 5],
    ])("prices %s on %j at $%s/$%s", (model, place, input, output) => {
      const price = priceOf(model, place);
      expect(price.input).toBeCloseTo(input, 9);
      expect(price.output).toBeCloseTo(output, 9);
    });

    it("prices an inference-profile ARN, whose geography it does not say, as regional", () => {
      expect(priceOf("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", bedrock)).toEqual(UNKNOWN_MODEL_PRICE);
      expect(estimateCost("us.anthropic.claude-sonnet-5-5", million, bedrock)).toBeGreaterThan(estimateCost("global.anthropic.claude-sonnet-5-5", million, bedrock));
    });
  });
});
