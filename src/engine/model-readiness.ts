import type { Env, ModelProvider } from "../config/env.js";
import { resolveModel } from "./models.js";
import { modelMissing, providerNotes } from "./providers/provider-settings.js";

/** What /readyz and the start-up line say of the model. */
export type ModelReadiness = { provider: "none"; reason: string } | { provider: ModelProvider; model: string; notes: string[] };

/**
 * The provider and the id the default model (the agent's, else DEFAULT_MODEL) resolves to,
 * from the settings alone: no client, no model call, and no provider SDK loaded (the
 * webhook thread never needs one when reviews run in worker threads). Throws
 * ModelNotOffered (models.ts) when the provider lacks the model.
 */
export function modelReadiness(env: Pick<Env, "DEFAULT_MODEL" | "MODEL_PROVIDER" | "BEDROCK_INFERENCE_PROFILE" | "ANTHROPIC_API_KEY" | "MODEL_STRUCTURED_OUTPUT">, agentModel: string): ModelReadiness {
  const missing = modelMissing(env);
  if (missing) return { provider: "none", reason: `${missing}: rules only` };
  resolveModel(env.DEFAULT_MODEL, "sonnet", env);
  return { provider: env.MODEL_PROVIDER, model: resolveModel(agentModel, env.DEFAULT_MODEL, env), notes: providerNotes(env) };
}
