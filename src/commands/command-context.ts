import { resolveAgent, type AgentDefinition } from "../agents/load-agent.js";
import { effectiveSettings, type ConfigProblem, type ReviewSettings } from "../config/repo-config.js";
import type { Env } from "../config/env.js";
import { resolveModel, type ModelPlace } from "../engine/models.js";
import { UserFacingError } from "../errors.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import { getPullRequest, type PullRequestInfo } from "../github/pull-request.js";
import { readRepoConfig } from "../github/read-repo-config.js";
import { readRepoFile } from "../github/repo-files.js";

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
  const repo = { owner: pull.owner, repo: pull.repo };
  const pr = await getPullRequest(octokit, pull);
  const notes: string[] = [];
  const [configResult, agent] = await Promise.all([
    readRepoConfig(octokit, repo),
    resolveAgent(
      bundled,
      (path) => readRepoFile(octokit, { ...repo, path, ref: pr.defaultBranch }),
      (path) => `${pull.owner}/${pull.repo}@${pr.defaultBranch}:${path}`,
    ).catch((error: unknown) => {
      if (!(error instanceof UserFacingError)) throw error;
      notes.push(`${error.message} The bundled agent is used for commands.`);
      return bundled;
    }),
  ]);
  const configProblems = "problems" in configResult ? configResult.problems : [];
  const settings = effectiveSettings(agent.settings, "config" in configResult ? configResult.config : {});
  let model: string;
  try {
    model = resolveModel(settings.model ?? (agent.model === "inherit" ? models.DEFAULT_MODEL : agent.model), models.DEFAULT_MODEL, models);
  } catch (error) {
    if (!(error instanceof UserFacingError)) throw error;
    // DEFAULT_MODEL was checked at start-up.
    notes.push(`${error.message} Commands use ${models.DEFAULT_MODEL}.`);
    model = resolveModel(models.DEFAULT_MODEL, "sonnet", models);
  }
  return { pr, agent, settings, model, configProblems, notes };
}
