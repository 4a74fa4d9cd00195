import type { AgentDefinition } from "../agents/load-agent.js";
import { effectiveSettings, type ConfigProblem, type ReviewSettings } from "../config/repo-config.js";
import { chooseModel } from "../core/choose-model.js";
import type { Env } from "../config/env.js";
import type { ModelPlace } from "../engine/models.js";
import { UserFacingError } from "../errors.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import { getPullRequest, type PullRequestInfo } from "../github/pull-request.js";
import { readRepoSetup } from "../github/read-repo-setup.js";

/** What a command runs with: the PR as it is now, and the agent and settings of the default branch. */
export interface CommandContext {
  pr: PullRequestInfo;
  agent: AgentDefinition;
  settings: ReviewSettings;
  /** Model id questions are answered with. */
  model: string;
  /** Problems of `.github/backend-agent.yml`: the settings are then the defaults (and the agent's). */
  configProblems: ConfigProblem[];
  /** Why the settings may not be what the repo meant (its agent file is broken). */
  notes: string[];
}

/**
 * Loads the PR, the repo's settings and its agent override, all from the default
 * branch (never the PR head, which its author controls). A broken settings file or
 * agent file does not stop a command: the defaults apply and the problem is kept,
 * for `help` to show and `ask` to refuse, as a review would.
 */
export async function loadCommandContext(octokit: Octokit, pull: PullRef, bundled: AgentDefinition, models: ModelPlace & Pick<Env, "DEFAULT_MODEL">): Promise<CommandContext> {
  const pr = await getPullRequest(octokit, pull);
  const notes: string[] = [];
  const { config: configResult, agent } = await readRepoSetup(octokit, { ...pull, defaultBranch: pr.defaultBranch }, bundled, (error: unknown) => {
    if (!(error instanceof UserFacingError)) throw error;
    notes.push(`${error.message} The bundled agent is used for commands.`);
    return bundled;
  });
  const configProblems = "problems" in configResult ? configResult.problems : [];
  const settings = effectiveSettings(agent.settings, "config" in configResult ? configResult.config : {});
  let model: string;
  try {
    model = chooseModel(settings, agent, models.DEFAULT_MODEL, models);
  } catch (error) {
    if (!(error instanceof UserFacingError)) throw error;
    // DEFAULT_MODEL was checked at start-up.
    notes.push(`${error.message} Commands use ${models.DEFAULT_MODEL}.`);
    model = chooseModel({}, { model: "inherit" }, models.DEFAULT_MODEL, models);
  }
  return { pr, agent, settings, model, configProblems, notes };
}
