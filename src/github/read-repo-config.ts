import { parseRepoConfig, REPO_CONFIG_PATH, type ConfigProblem, type RepoConfig } from "../config/repo-config.js";
import { messageOf } from "../errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/**
 * Reads `.github/backend-agent.yml` from the default branch through Probot's
 * config plugin (which also follows `_extends`, e.g. an org-wide `.github` repo).
 * A missing file is an empty config; a broken one is a list of problems.
 */
export async function readRepoConfig(
  octokit: Octokit,
  ref: RepoRef,
): Promise<{ config: RepoConfig } | { problems: ConfigProblem[] }> {
  let raw: unknown;
  try {
    const { config } = await octokit.config.get({ owner: ref.owner, repo: ref.repo, path: REPO_CONFIG_PATH });
    raw = config;
  } catch (error) {
    const cause = error instanceof Error && error.cause ? ` ${messageOf(error.cause).split("\n")[0]}` : "";
    if (/could not be parsed|not an object/.test(messageOf(error))) {
      return { problems: [{ key: "(file)", message: `not valid YAML.${cause}` }] };
    }
    throw error;
  }
  return parseRepoConfig(raw);
}
