import type { AgentDefinition } from "../agents/load-agent.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { resolveModel } from "../engine/models.js";

/**
 * The model a review or a question uses, chosen in this one place for the App, the
 * CLI and `ask`: the repository's `model` setting, else the agent's (`inherit`
 * meaning the server's DEFAULT_MODEL), resolved to a concrete id.
 */
export function chooseModel(settings: Pick<ReviewSettings, "model">, agent: Pick<AgentDefinition, "model">, defaultModel: string): string {
  return resolveModel(settings.model ?? (agent.model === "inherit" ? defaultModel : agent.model), defaultModel);
}
