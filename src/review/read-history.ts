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
import type { AppIdentity } from "../github/app-identity.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import { listReviewComments } from "../github/review-comments.js";
import { resolvedThreads } from "../github/review-threads.js";
import { lastReviewedCommit } from "../github/reviewed-commits.js";
import { dismissalPolicy, refusalText } from "./dismissal-policy.js";
import type { Dismissal } from "./dismissals.js";
import type { PullMarkerSigner } from "./marker-signer.js";
import type { PriorFinding } from "./finding-marker.js";
import { priorFindings } from "./prior-findings.js";

/** The PR's review history as GitHub shows it. */
export interface ReviewHistoryRead {
  prior: PriorFinding[];
  /** Who dismissed which earlier finding, and resolutions that did not count (for the summary). */
  dismissals: Dismissal[];
  /** Set when only `since...head` needs the model: the files changed since that commit. */
  increment?: { since: string; files: ChangedFile[] } | undefined;
  /** Why the review is a full one although an earlier review exists (for the log). */
  fullBecause?: string | undefined;
  /** Problems worth telling in the summary (history that could not be read). */
  notes: string[];
}

/** Who the app is and who may dismiss, for telling genuine history from forged. */
export interface HistoryTrust {
  app: AppIdentity;
  signer: PullMarkerSigner;
  prAuthor: string;
  allowAuthorDismiss: boolean;
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
  trust: HistoryTrust,
): Promise<ReviewHistoryRead> {
  const notes: string[] = [];
  const [comments, since] = await Promise.all([
    listReviewComments(octokit, pull),
    pull.incremental ? lastReviewedCommit(octokit, { ...pull, appId: trust.app.appId }) : Promise.resolve(undefined),
  ]);
  // Thread resolution (GraphQL) matters only for findings the bot posted before.
  let prior = priorFindings(comments, trust);
  const refused: Dismissal[] = [];
  if (prior.length > 0) {
    const threads = await resolvedThreads(octokit, pull).catch((error: unknown) => {
      // Without GraphQL a resolved thread still counts as open: worse, but nothing is posted twice.
      log.warn({ err: error }, "could not read review threads");
      notes.push(`Resolved review threads could not be read (${messageOf(error).slice(0, 120)}); they are counted as open.`);
      return new Map<number, string | undefined>();
    });
    const may = dismissalPolicy(octokit, { owner: pull.owner, repo: pull.repo, prAuthor: trust.prAuthor, allowAuthorDismiss: trust.allowAuthorDismiss });
    const resolved = new Map<number, string>();
    const looked = new Set<string>();
    await Promise.all(
      prior.filter((p) => p.state === "posted" && threads.has(p.commentId)).map(async (p) => {
        const by = threads.get(p.commentId);
        const refuse = (reason: string) => refused.push({ title: p.data.title, path: p.data.path, how: "resolved", by, counted: false, reason });
        if (by === undefined) return void refuse("GitHub does not say who resolved it");
        looked.add(by.toLowerCase());
        const verdict = await may(by);
        if (verdict.allowed) resolved.set(p.commentId, by);
        else refuse(refusalText(verdict.reason));
      }),
    );
    if (refused.length > 0) log.info({ refused: refused.map((d) => ({ path: d.path, by: d.by })) }, "thread resolutions not counted");
    prior = priorFindings(comments, { ...trust, resolved });
  }
  const dismissals: Dismissal[] = [
    ...prior.flatMap((p): Dismissal[] => (p.state === "posted" ? [] : [{ title: p.data.title, path: p.data.path, how: p.state, by: p.dismissedBy, counted: true }])),
    ...refused,
  ];
  const base = { prior, dismissals, notes };
  if (!since) return { ...base, fullBecause: pull.incremental ? "no earlier review of a commit of this PR" : "security pass" };
  const comparison = await compareCommits(octokit, { owner: pull.owner, repo: pull.repo, base: since, head: pull.headSha });
  if (!comparison) return { ...base, fullBecause: `${since} is unknown (force push)` };
  if (comparison.status !== "ahead") return { ...base, fullBecause: `${since} is ${comparison.status} (behind by ${comparison.behindBy})` };
  if (comparison.files.length >= MAX_COMPARE_FILES) return { ...base, fullBecause: `more than ${MAX_COMPARE_FILES} files changed since ${since}` };
  return { ...base, increment: { since, files: comparison.files } };
}
