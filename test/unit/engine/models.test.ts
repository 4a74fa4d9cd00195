import { MODEL_ALIASES, ModelNotOffered, resolveModel, type ModelPlace } from "../../../src/engine/models.js";

const on = (MODEL_PROVIDER: ModelPlace["MODEL_PROVIDER"], BEDROCK_INFERENCE_PROFILE: ModelPlace["BEDROCK_INFERENCE_PROFILE"] = "global"): ModelPlace => ({ MODEL_PROVIDER, BEDROCK_INFERENCE_PROFILE });

describe("model names on each provider (one table)", () => {
  it.each([
    ["sonnet", on("anthropic"), "claude-sonnet-5-5"],
    ["sonnet", on("bedrock"), "global.anthropic.claude-sonnet-5-5"],
    ["Opus", on("bedrock", "eu"), "eu.anthropic.claude-opus-5-5"],
    ["haiku", on("bedrock", "none"), "anthropic.claude-haiku-5-5"],
    ["sonnet", on("vertex"), "claude-sonnet-5-5"],
    ["haiku", on("foundry"), "claude-haiku-5-5"],
    // A full id of one provider is translated for another.
    ["claude-sonnet-4-5-20250929", on("vertex"), "claude-sonnet-4-5@20250929"],
    ["claude-sonnet-4-5-20250929", on("bedrock", "us"), "us.anthropic.claude-sonnet-4-5-20250929-v1:0"],
    ["claude-sonnet-4-5@20250929", on("anthropic"), "claude-sonnet-4-5-20250929"],
    ["global.anthropic.claude-sonnet-5-5", on("anthropic"), "claude-sonnet-5-5"],
    ["us.anthropic.claude-opus-4-5-20251101-v1:0", on("foundry"), "claude-opus-4-5"],
    // An id in the provider's own form is sent as given (a newer model, a deployment name).
    ["claude-haiku-4-5", on("anthropic"), "claude-haiku-4-5"],
    ["my-sonnet-deployment", on("foundry"), "my-sonnet-deployment"],
    ["apac.anthropic.claude-sonnet-6-0-v1:0", on("bedrock"), "apac.anthropic.claude-sonnet-6-0-v1:0"],
    ["anthropic.claude-sonnet-4-6", on("bedrock", "jp"), "jp.anthropic.claude-sonnet-4-6"],
    ["claude-opus-4-1@20250805", on("vertex"), "claude-opus-4-1@20250805"],
    ["inherit", on("bedrock"), "global.anthropic.claude-sonnet-5-5"],
  ])("%s on %j is %s", (name, place, id) => {
    expect(resolveModel(name, "sonnet", place)).toBe(id);
  });

  it.each([
    ["gpt-4o", on("bedrock"), "Amazon Bedrock"],
    ["claude-opus-9-9", on("vertex"), "Google Vertex AI"],
    ["mistral.mistral-large-2402-v1:0", on("bedrock"), "Amazon Bedrock"],
    ["global.anthropic.claude-sonnet-9-9", on("anthropic"), "the Anthropic API"],
  ])("refuses %s on %j, naming the provider", (name, place, label) => {
    const attempt = () => resolveModel(name, "sonnet", place);
    expect(attempt).toThrow(ModelNotOffered);
    expect(attempt).toThrow(`is not offered by ${label}: use sonnet, opus or haiku, or one of its model ids.`);
  });

  it("keeps the aliases' Anthropic ids for help texts", () => {
    expect(MODEL_ALIASES).toEqual({ sonnet: "claude-sonnet-5-5", opus: "claude-opus-5-5", haiku: "claude-haiku-5-5" });
  });
});
