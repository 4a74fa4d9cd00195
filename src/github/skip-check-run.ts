import type { CheckConclusion } from "../domain/conclusions.js";
import { checkRunExternalId, RERUN_ACTION } from "./check-run.js";
import type { Octokit, PullRef } from "./octokit.js";

/** A check run of ours on a commit, as much as a skip needs of it. */
export interface OurCheckRun {
  id: number;
  status: string;
  conclusion: CheckConclusion | null;
  title: string;
  summary: string;
  url: string | undefined;
}

/**
 * The newest run of this app named `name` on `headSha` made for this PR (`external_id`): the
 * one GitHub shows and branch protection reads. Undefined when there is none.
 */
export async function latestCheckRun(octokit: Octokit, ref: PullRef & { headSha: string; name: string; appId: number }): Promise<OurCheckRun | undefined> {
  const { data } = await octokit.rest.checks.listForRef({ owner: ref.owner, repo: ref.repo, ref: ref.headSha, check_name: ref.name, app_id: ref.appId, filter: "all", per_page: 100 });
  // Another app can name its runs like ours: only this app's runs say what our review did.
  const run = data.check_runs
    .filter((r) => r.app?.id === ref.appId && r.external_id === checkRunExternalId(ref.pullNumber) && r.head_sha === ref.headSha)
    .sort((a, b) => b.id - a.id)[0];
  if (!run) return undefined;
  return {
    id: run.id,
    status: run.status,
    conclusion: run.conclusion as CheckConclusion | null,
    title: run.output.title ?? "",
    summary: run.output.summary ?? "",
    url: run.html_url ?? undefined,
  };
}

/**
 * Creates a new completed `success` run of the same name on the head: GitHub shows
 * the newest run of a name, so this is what the pull request and branch protection
 * now see, while the incomplete run stays as it was, as the record of what went
 * unreviewed. It carries the "Re-run review" button like every run of ours.
 */
export async function createSkippedCheckRun(octokit: Octokit, ref: PullRef & { headSha: string; name: string; title: string; summary: string }): Promise<number> {
  const now = new Date().toISOString();
  const { data } = await octokit.rest.checks.create({
    owner: ref.owner,
    repo: ref.repo,
    name: ref.name,
    head_sha: ref.headSha,
    external_id: checkRunExternalId(ref.pullNumber),
    status: "completed",
    conclusion: "success",
    started_at: now,
    completed_at: now,
    output: { title: ref.title.slice(0, 255), summary: ref.summary },
    actions: [RERUN_ACTION],
  });
  return data.id;
}
