/**
 * What a review reads back from GitHub before it starts: the bot's earlier findings
 * on the PR (its own review comments, with resolved threads from GraphQL) and the
 * last commit a review of ours finished on, with the change since then. No local
 * state: a restart, a second worker or a redeployed server knows the same.
 */
import type { Logger } from "pino";
import type { ChangedFile } from "../diff/types.js";
import { messageOf } from "../errors.js";
import { compareCommits, MAX_COMPARE_FILES } from "../github/compare.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import { listReviewComments } from "../github/review-comments.js";
import { resolvedThreadRoots } from "../github/review-threads.js";
import { lastReviewedCommit } from "../github/reviewed-commits.js";
import { priorFindings, type PriorFinding } from "./prior-findings.js";

/** The PR's review history as GitHub shows it. */
export interface ReviewHistoryRead {
  prior: PriorFinding[];
  /** Set when only `since...head` needs the model: the files changed since that commit. */
  increment?: { since: string; files: ChangedFile[] } | undefined;
  /** Why the review is a full one although an earlier review exists (for the log). */
  fullBecause?: string | undefined;
  /** Problems worth telling in the summary (history that could not be read). */
  notes: string[];
  calls: number;
}

/**
 * Reads the history. `incremental: false` (the security pass) skips the search for
 * an earlier head: that pass always reads the whole diff. After a force push the
 * earlier head is gone from the PR's commits, or GitHub no longer knows it (404),
 * or it is not an ancestor of the head (`diverged`): the review is then a full one.
 */
export async function readReviewHistory(
  octokit: Octokit,
  pull: PullRef & { headSha: string; checkName: string; incremental: boolean },
  log: Logger,
): Promise<ReviewHistoryRead> {
  const notes: string[] = [];
  const [comments, since] = await Promise.all([
    listReviewComments(octokit, pull),
    pull.incremental ? lastReviewedCommit(octokit, pull) : Promise.resolve(undefined),
  ]);
  let calls = pull.incremental ? 2 : 1;
  // Thread resolution (GraphQL) matters only for findings the bot posted before.
  let prior = priorFindings(comments, new Set());
  if (prior.length > 0) {
    calls++;
    const resolved = await resolvedThreadRoots(octokit, pull).catch((error: unknown) => {
      // Without GraphQL a resolved thread still counts as open: worse, but nothing is posted twice.
      log.warn({ err: error }, "could not read review threads");
      notes.push(`Resolved review threads could not be read (${messageOf(error).slice(0, 120)}); they are counted as open.`);
      return new Set<number>();
    });
    prior = priorFindings(comments, resolved);
  }
  if (!since) return { prior, notes, calls, fullBecause: pull.incremental ? "no earlier review of a commit of this PR" : "security pass" };
  const comparison = await compareCommits(octokit, { owner: pull.owner, repo: pull.repo, base: since, head: pull.headSha });
  calls++;
  if (!comparison) return { prior, notes, calls, fullBecause: `${since} is unknown (force push)` };
  if (comparison.status !== "ahead") return { prior, notes, calls, fullBecause: `${since} is ${comparison.status} (behind by ${comparison.behindBy})` };
  if (comparison.files.length >= MAX_COMPARE_FILES) return { prior, notes, calls, fullBecause: `more than ${MAX_COMPARE_FILES} files changed since ${since}` };
  return { prior, notes, calls, increment: { since, files: comparison.files } };
}
