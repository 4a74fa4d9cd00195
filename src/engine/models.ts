import type { Env, ModelProvider } from "../config/env.js";
import { UserFacingError } from "../errors.js";
import { PROVIDER_LABELS } from "./providers/provider-settings.js";

/** One model under each provider's id; `null` where the provider does not offer it. */
interface ModelRow {
  alias?: "sonnet" | "opus" | "haiku";
  anthropic: string;
  /** Without the inference-profile prefix (`global.`), which BEDROCK_INFERENCE_PROFILE adds. */
  bedrock: string | null;
  vertex: string | null;
  /** Foundry names deployments; these are the names a deployment gets by default. */
  foundry: string | null;
}

/**
 * The one table of model ids. Agent files and repo settings say `sonnet` (or any id in
 * any column); each provider wants its own id. Ids follow each provider's catalogue:
 * Bedrock `anthropic.<name>` (4.6 on: no date or version suffix), Vertex `<name>@<date>`
 * (4.6 on: no date), Foundry the Anthropic name without the date.
 */
const MODELS: readonly ModelRow[] = [
  { alias: "sonnet", anthropic: "claude-sonnet-5-5", bedrock: "anthropic.claude-sonnet-5-5", vertex: "claude-sonnet-5-5", foundry: "claude-sonnet-5-5" },
  { alias: "opus", anthropic: "claude-opus-5-5", bedrock: "anthropic.claude-opus-5-5", vertex: "claude-opus-5-5", foundry: "claude-opus-5-5" },
  { alias: "haiku", anthropic: "claude-haiku-5-5", bedrock: "anthropic.claude-haiku-5-5", vertex: "claude-haiku-5-5", foundry: "claude-haiku-5-5" },
  { anthropic: "claude-opus-4-6", bedrock: "anthropic.claude-opus-4-6-v1", vertex: "claude-opus-4-6", foundry: "claude-opus-4-6" },
  { anthropic: "claude-sonnet-4-6", bedrock: "anthropic.claude-sonnet-4-6", vertex: "claude-sonnet-4-6", foundry: "claude-sonnet-4-6" },
  { anthropic: "claude-opus-4-5-20251101", bedrock: "anthropic.claude-opus-4-5-20251101-v1:0", vertex: "claude-opus-4-5@20251101", foundry: "claude-opus-4-5" },
  { anthropic: "claude-sonnet-4-5-20250929", bedrock: "anthropic.claude-sonnet-4-5-20250929-v1:0", vertex: "claude-sonnet-4-5@20250929", foundry: "claude-sonnet-4-5" },
  { anthropic: "claude-haiku-4-5-20251001", bedrock: "anthropic.claude-haiku-4-5-20251001-v1:0", vertex: "claude-haiku-4-5@20251001", foundry: "claude-haiku-4-5" },
  { anthropic: "claude-opus-4-1-20250805", bedrock: "anthropic.claude-opus-4-1-20250805-v1:0", vertex: "claude-opus-4-1@20250805", foundry: "claude-opus-4-1" },
];

/** Alias → the Anthropic API's id (the table's first column), for help texts and tests. */
export const MODEL_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(MODELS.flatMap((m) => (m.alias ? [[m.alias, m.anthropic]] : [])));

/** Where a model id is meant for: the provider, and Bedrock's inference profile. Defaults to the Anthropic API. */
export type ModelPlace = Pick<Env, "MODEL_PROVIDER" | "BEDROCK_INFERENCE_PROFILE">;

/** The variables that say where the model runs, for its id and its price: what a review's env needs beside its own. */
export type ModelEnvKey = "MODEL_PROVIDER" | "BEDROCK_INFERENCE_PROFILE" | "CLOUD_ML_REGION";

const ANTHROPIC_API: ModelPlace = { MODEL_PROVIDER: "anthropic", BEDROCK_INFERENCE_PROFILE: "global" };

/** A model the provider does not offer: said at start-up, or in the check run of the repo that asked for it. */
export class ModelNotOffered extends UserFacingError {
  constructor(readonly model: string, readonly provider: ModelProvider) {
    super(`The model ${JSON.stringify(model.slice(0, 100))} is not offered by ${PROVIDER_LABELS[provider]}: use sonnet, opus or haiku, or one of its model ids.`);
    this.name = "ModelNotOffered";
  }
}

const BEDROCK_PROFILE = /^(?:global|us|eu|apac|jp|au|us-gov)\./;

/** `global.anthropic.…`: Bedrock's newer models are invoked through a cross-region inference profile. */
const withProfile = (id: string, place: ModelPlace) => (place.BEDROCK_INFERENCE_PROFILE === "none" ? id : `${place.BEDROCK_INFERENCE_PROFILE}.${id}`);

/** The row naming `id` in any column (a Bedrock id with or without its profile prefix). */
function rowOf(id: string): ModelRow | undefined {
  const bare = id.replace(BEDROCK_PROFILE, "");
  return MODELS.find((m) => m.anthropic === id || m.vertex === id || m.foundry === id || m.bedrock === bare);
}

const isBedrockId = (id: string) => /^(?:[a-z-]{2,7}\.)?anthropic\.claude-/.test(id) || id.startsWith("arn:aws");

/**
 * Whether `id` is already in the provider's own form, and is sent as given: a newer model,
 * a gateway's name or a Foundry deployment need not be in the table. Anything else is
 * translated through the table, or refused.
 */
function isNative(id: string, provider: ModelProvider): boolean {
  switch (provider) {
    case "anthropic":
    case "foundry":
      return !isBedrockId(id) && !id.includes("@");
    case "bedrock":
      return isBedrockId(id);
    case "vertex":
      return /^claude-[\w.-]{1,80}@\d{8}$/.test(id) || MODELS.some((m) => m.vertex === id);
  }
}

/**
 * The provider's id for an alias (case-insensitive) or an id from any column; `inherit` or
 * nothing means `fallback`. Throws {@link ModelNotOffered} for a model the provider lacks.
 */
export function resolveModel(nameOrId: string, fallback = "sonnet", place: ModelPlace = ANTHROPIC_API): string {
  const given = nameOrId.trim();
  const key = given.toLowerCase();
  if (key === "inherit" || key === "") return resolveModel(fallback, "sonnet", place);
  const provider = place.MODEL_PROVIDER;
  const alias = MODELS.find((m) => m.alias === key);
  const row = alias ?? (isNative(given, provider) ? undefined : rowOf(given));
  if (!row) {
    if (!isNative(given, provider)) throw new ModelNotOffered(given, provider);
    // A Bedrock id of the table without its profile gets the configured one, as the table's ids do.
    return provider === "bedrock" && !BEDROCK_PROFILE.test(given) && rowOf(given) ? withProfile(given, place) : given;
  }
  const id = row[provider];
  if (id === null) throw new ModelNotOffered(given, provider);
  return provider === "bedrock" ? withProfile(id, place) : id;
}
