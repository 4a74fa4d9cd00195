import type { ChangedFile } from "../diff/types.js";
import { httpStatusOf } from "../errors.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { toChangedFile } from "./pull-request-files.js";

/** GitHub's compare API lists at most this many files: past it the change is not fully known. */
export const MAX_COMPARE_FILES = 300;

/** What changed between two commits, and how they relate. */
export interface Comparison {
  /** `ahead`: head descends from base — the only case an increment can be reviewed alone. */
  status: "ahead" | "behind" | "diverged" | "identical";
  aheadBy: number;
  behindBy: number;
  files: ChangedFile[];
}

/**
 * `GET /compare/{base}...{head}` with per-file patches, or undefined when GitHub
 * does not know `base` any more (404: a force push dropped it).
 */
export async function compareCommits(octokit: Octokit, ref: RepoRef & { base: string; head: string }): Promise<Comparison | undefined> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: ref.owner, repo: ref.repo, basehead: `${ref.base}...${ref.head}`, per_page: 100 });
    return {
      status: data.status,
      aheadBy: data.ahead_by,
      behindBy: data.behind_by,
      files: (data.files ?? []).map(toChangedFile),
    };
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}
