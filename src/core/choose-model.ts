import type { AgentDefinition } from "../agents/load-agent.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { resolveModel, type ModelPlace } from "../engine/models.js";

/**
 * The model a review or a question uses, chosen in this one place for the App, the
 * CLI and `ask`: the repository's `model` setting, else the agent's (`inherit`
 * meaning the server's DEFAULT_MODEL), resolved to the id the provider in `place`
 * knows it by. Throws ModelNotOffered (a UserFacingError) for a model the provider lacks.
 */
export function chooseModel(settings: Pick<ReviewSettings, "model">, agent: Pick<AgentDefinition, "model">, defaultModel: string, place?: ModelPlace): string {
  return resolveModel(settings.model ?? (agent.model === "inherit" ? defaultModel : agent.model), defaultModel, place);
}
