import { checkRunExternalId } from "./check-run.js";
import type { Octokit, PullRef } from "./octokit.js";

/** Titles of runs that reviewed their whole diff (drafts skipped, broken or incomplete runs did not). */
const FULLY_REVIEWED = /^(No findings|No backend changes|\d+ (critical|high|medium|low|info))(?!.*review incomplete)/i;

/** How many earlier commits are looked at for a finished review: a push rarely adds more. */
const LOOK_BACK = 5;

/**
 * The newest commit of the PR, before `headSha`, that a review of ours finished on:
 * a completed check run of THIS app (`appId`: any app can create a run with our
 * name, external id and title) named `checkName` with our `external_id` (`pr:<n>`) and a
 * real verdict (success or failure over the whole diff — not a superseded, draft,
 * broken or incomplete run).
 * Only the PR's current commits are candidates, so a commit a force push dropped is
 * never returned and the caller falls back to a full review.
 */
export async function lastReviewedCommit(octokit: Octokit, ref: PullRef & { headSha: string; checkName: string; appId: number }): Promise<string | undefined> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, { owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, per_page: 100 });
  const candidates = commits.map((c) => c.sha).filter((sha) => sha !== ref.headSha).reverse().slice(0, LOOK_BACK);
  for (const sha of candidates) {
    const { data } = await octokit.rest.checks.listForRef({ owner: ref.owner, repo: ref.repo, ref: sha, check_name: ref.checkName, app_id: ref.appId, filter: "all", per_page: 100 });
    const reviewed = data.check_runs.some(
      // The filter is GitHub's; the app id is checked again so that a server ignoring `app_id` changes nothing.
      (run) => run.app?.id === ref.appId && run.status === "completed" && run.external_id === checkRunExternalId(ref.pullNumber) && (run.conclusion === "success" || run.conclusion === "failure") &&
        FULLY_REVIEWED.test(run.output.title ?? ""),
    );
    if (reviewed) return sha;
  }
  return undefined;
}
