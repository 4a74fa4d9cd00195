import { httpStatusOf } from "../errors.js";
import type { Octokit, RepoRef } from "./octokit.js";

/**
 * A file's text at `ref`, or undefined when it does not exist. Callers pass the
 * default branch: files that steer the bot are never read from a PR's head.
 */
export async function readRepoFile(octokit: Octokit, ref: RepoRef & { path: string; ref: string }): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      owner: ref.owner,
      repo: ref.repo,
      path: ref.path,
      ref: ref.ref,
      mediaType: { format: "raw" },
    });
    return typeof data === "string" ? data : undefined;
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}
