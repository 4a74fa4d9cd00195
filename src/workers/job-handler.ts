import type { Probot } from "probot";
import type { Job, JobHandler } from "../jobs/queue.js";
import type { Metrics } from "../metrics.js";
import { snapshotCacheFor, type SnapshotCache } from "../snapshot/snapshot-cache.js";
import type { Env } from "../config/env.js";
import type { CommandRunner } from "./command-runner.js";
import type { ReviewRunner } from "./review-runner.js";

/** What the job handler needs: reviews go to the review runner, commands to the command runner (both: worker threads). */
export interface JobHandlerDeps {
  probot: Probot;
  reviews: ReviewRunner;
  commands: CommandRunner;
  env: Pick<Env, "DATA_DIR" | "SNAPSHOT_CACHE_MB">;
  metrics?: Metrics | undefined;
  /** Head-commit snapshots, swept at start; one per process (built from DATA_DIR when absent). */
  snapshots?: SnapshotCache | undefined;
}

/**
 * The job handler the queue runs: a review goes to the review runner, a command to the
 * command runner (worker threads, or this thread when REVIEW_WORKERS=0), with a logger
 * that carries `{ repo, pr, job }` on every line. Here only logs and metrics are written.
 */
export function createJobHandler(deps: JobHandlerDeps): JobHandler {
  // One cache per process: the chunks of a review, later commands and restarts share a commit's download.
  const snapshots = deps.snapshots ?? snapshotCacheFor(deps.env);
  // A crash mid-extraction leaves a temporary directory behind: cleared at start.
  void snapshots.sweep().catch((error: unknown) => deps.probot.log.warn({ err: error }, "could not clear old snapshot downloads"));
  return async (job: Job): Promise<void> => {
    const started = Date.now();
    const log = deps.probot.log.child({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, sha: job.kind === "review" ? job.headSha : undefined, job: job.id });
    try {
      if (job.kind === "review") {
        log.info({ trigger: job.trigger, mode: job.mode, requestedBy: job.requestedBy }, "review started");
        const outcome = await deps.reviews.run(job, log);
        if (!outcome) return void deps.metrics?.jobsFailed.inc({ kind: job.kind });
        deps.metrics?.reviewDuration.observe({ conclusion: outcome.conclusion }, (Date.now() - started) / 1000);
        for (const [kind, n] of Object.entries(outcome.tools ?? {})) if (n > 0) deps.metrics?.toolUse.inc({ kind }, n);
        for (const [type, n] of Object.entries(outcome.usage)) if (typeof n === "number" && n > 0) deps.metrics?.modelTokens.inc({ type }, n);
        if (outcome.costUsd > 0) deps.metrics?.modelCost.inc(outcome.costUsd);
        deps.metrics?.jobsFinished.inc({ kind: job.kind });
        return;
      }
      log.info({ trigger: job.trigger, command: job.command.name, author: job.source.author }, "command started");
      const outcome = await deps.commands.run(job, log);
      if (!outcome) return void deps.metrics?.jobsFailed.inc({ kind: job.kind });
      log.info({ command: job.command.name, outcome }, "command finished");
      deps.metrics?.jobsFinished.inc({ kind: job.kind });
    } catch (error) {
      deps.metrics?.jobsFailed.inc({ kind: job.kind });
      // Only reachable before a review's check run exists (authentication failed, a thread that died first): nothing to complete.
      log.error({ err: error, kind: job.kind }, "job failed before it could report");
    }
  };
}
