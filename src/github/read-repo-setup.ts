import { resolveAgent, type AgentDefinition } from "../agents/load-agent.js";
import type { ConfigProblem, RepoConfig } from "../config/repo-config.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { readRepoConfig } from "./read-repo-config.js";
import { readRepoFile } from "./repo-files.js";

/** A repository's settings file (or its problems) and its agent, both from the default branch. */
export interface RepoSetup {
  config: { config: RepoConfig } | { problems: ConfigProblem[] };
  agent: AgentDefinition;
}

/**
 * Reads `.github/backend-agent.yml` and the repository's own agent (or keeps the
 * bundled one), in parallel, from the default branch, never the PR head, which its
 * author controls. The one loader of reviews and commands; a broken agent file
 * rejects unless `agentFallback` turns the error into an agent.
 */
export async function readRepoSetup(
  octokit: Octokit,
  repo: RepoRef & { defaultBranch: string },
  bundled: AgentDefinition,
  agentFallback?: (error: unknown) => AgentDefinition,
): Promise<RepoSetup> {
  const ref = { owner: repo.owner, repo: repo.repo };
  const agent = resolveAgent(
    bundled,
    (path) => readRepoFile(octokit, { ...ref, path, ref: repo.defaultBranch }),
    (path) => `${repo.owner}/${repo.repo}@${repo.defaultBranch}:${path}`,
  );
  const [config, resolved] = await Promise.all([readRepoConfig(octokit, ref), agentFallback ? agent.catch(agentFallback) : agent]);
  return { config, agent: resolved };
}
