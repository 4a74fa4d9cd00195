import type { ProbotOctokit } from "probot";

/** An installation-authenticated Octokit as Probot builds it (REST methods under `.rest`). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

/** The repository a call is about. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** A pull request of a repository. */
export interface PullRef extends RepoRef {
  pullNumber: number;
}
