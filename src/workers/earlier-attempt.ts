import type { Logger } from "pino";
import { isCheckConclusion } from "../domain/conclusions.js";
import { getCheckRunState } from "../github/check-run.js";
import type { Octokit } from "../github/octokit.js";
import { isStoppedTitle, type CheckRunRegistry } from "../jobs/check-run-registry.js";
import type { ReviewJob } from "../jobs/queue.js";
import type { ReviewOutcome } from "../review/run-review.js";

/** What the lookup needs: the registry of our check runs, and the main thread's installation Octokits. */
export interface EarlierAttemptDeps {
  checkRuns?: CheckRunRegistry | undefined;
  installation(installationId: number): Promise<Octokit>;
}

/**
 * The outcome of an earlier attempt of this review job that completed its check run, if
 * any. A job runs again when its process died while it ran (the embedded queue's next
 * start, a stalled BullMQ job). When the review had already completed its check run
 * (the process died between that and the job being marked done), running it again
 * would pay for a second model review and put a second check run on the commit: its
 * result stands instead. A run completed as stopped (the watchdog's "interrupted",
 * a dead or timed-out thread) or still in progress means the review never finished,
 * and it runs again. The job's registry records are the earlier attempt's: a first
 * attempt has none, so this costs nothing then. Undefined when unsure (GitHub did not
 * answer): reviewing twice is better than never.
 */
export async function completedEarlier(job: ReviewJob, deps: EarlierAttemptDeps, log: Logger): Promise<ReviewOutcome | undefined> {
  try {
    const runs = (await deps.checkRuns?.ofJob(job.id)) ?? [];
    if (runs.length === 0) return undefined;
    const octokit = await deps.installation(job.installationId);
    let githubCalls = 0;
    for (const run of runs) {
      const state = await getCheckRunState(octokit, { owner: job.owner, repo: job.repo, checkRunId: run.checkRunId });
      githubCalls++;
      if (state.status !== "completed" || isStoppedTitle(state.title)) continue;
      await deps.checkRuns?.finished(run.checkRunId);
      const conclusion = isCheckConclusion(state.conclusion) ? state.conclusion : "neutral";
      const title = state.title ?? "";
      log.info({ checkRunId: run.checkRunId, conclusion, title }, "review already completed by an earlier attempt of this job (its process stopped before the job was marked done): not run again");
      return { conclusion, title, githubCalls, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 };
    }
    return undefined;
  } catch (error) {
    log.warn({ err: error }, "could not tell whether an earlier attempt of this job completed its review; reviewing again");
    return undefined;
  }
}
