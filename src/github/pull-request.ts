import type { Octokit, PullRef } from "./octokit.js";

/** The pull-request facts a review needs. */
export interface PullRequestInfo {
  headSha: string;
  baseSha: string;
  draft: boolean;
  state: string;
  title: string;
  author: string;
  defaultBranch: string;
  changedFiles: number;
  /** Names of the labels on the PR now (saves a labels request when syncing). */
  labels: string[];
}

/** Reads the pull request as it is now (the webhook payload may be stale). */
export async function getPullRequest(octokit: Octokit, ref: PullRef): Promise<PullRequestInfo> {
  const { data } = await octokit.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber });
  return {
    headSha: data.head.sha,
    baseSha: data.base.sha,
    draft: data.draft ?? false,
    state: data.state,
    title: data.title,
    author: data.user.login,
    defaultBranch: data.base.repo.default_branch,
    changedFiles: data.changed_files,
    labels: data.labels.map((label) => label.name),
  };
}
