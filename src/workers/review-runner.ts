import type { Logger } from "pino";
import type { Env } from "../config/env.js";
import { completeCheckRun, getCheckRunState } from "../github/check-run.js";
import { STOPPED_TITLES } from "../jobs/check-run-registry.js";
import type { ReviewJob } from "../jobs/queue.js";
import type { ReviewOutcome } from "../review/run-review.js";
import { completedEarlier } from "./earlier-attempt.js";
import type { MainServices } from "./main-services.js";
import { inProcessTasks } from "./in-process-tasks.js";
import type { ReviewContext } from "./review-task.js";
import { createThreadPool, type ThreadPool } from "./thread-pool.js";

/** Runs review jobs: in a pool of worker threads, or in this thread when REVIEW_WORKERS=0. */
export interface ReviewRunner {
  /** The review's outcome; undefined when its thread died or ran out of time (its check run was completed saying so). */
  run(job: ReviewJob, log: Logger): Promise<ReviewOutcome | undefined>;
  /** Worker threads (0: in-process). */
  readonly threads: number;
  close(): Promise<void>;
}

/**
 * Runs reviews in the process's worker threads (`pool`; in this thread when
 * REVIEW_WORKERS=0): parsing, redaction, rules, rendering and the model's answers never
 * share the webhook thread's event loop. A thread that throws, dies (`process.exit`,
 * out of heap) or passes REVIEW_WORKER_TIMEOUT_SECONDS is replaced by Piscina; its
 * review's check run is completed here, saying what happened, so that a required check
 * never hangs; the job ends (a re-run of the check tries again). A job that runs again
 * after its process died, whose review had completed its check run, is not run again.
 */
export function createReviewRunner(env: Env, services: MainServices, inProcess: () => ReviewContext, pool: ThreadPool | undefined = createThreadPool(env)): ReviewRunner {
  const runner = createRunner(env, services, inProcess, pool);
  return { ...runner, run: async (job, log) => (await completedEarlier(job, services, log)) ?? (await runner.run(job, log)) };
}

function createRunner(env: Env, services: MainServices, inProcess: () => ReviewContext, pool: ThreadPool | undefined): ReviewRunner {
  if (!pool) {
    let context: ReviewContext | undefined;
    return {
      threads: 0,
      async run(job, log) {
        let checkRunId: number | undefined;
        try {
          const { runReviewTask } = await inProcessTasks(env.MODEL_PROVIDER);
          return await runReviewTask(job, services.forJob(job, (id) => (checkRunId = id)), (context ??= inProcess()));
        } finally {
          await services.finished(checkRunId, log);
        }
      },
      close: async () => undefined,
    };
  }
  return {
    threads: pool.threads,
    async run(job, log) {
      let checkRunId: number | undefined;
      const result = await pool.run<ReviewOutcome>(job, services.forJob(job, (id) => (checkRunId = id)));
      try {
        if (result.ok) return result.value;
        // Stopped with the process, past the queue's grace period: as in-process, the review never ends here. Its job is
        // left to the next start (or another worker), its check run in the registry for the watchdog.
        if (pool.closing) return new Promise<never>(() => undefined);
        const { error, timedOut } = result;
        log.error({ err: error, checkRunId, timedOut }, timedOut ? "review thread passed its time budget and was stopped" : "review thread failed");
        if (checkRunId === undefined) throw error;
        await completeStopped(services, job, checkRunId, timedOut ? pool.budgetMs : undefined, log);
        return undefined;
      } finally {
        if (!pool.closing) await services.finished(checkRunId, log);
      }
    },
    // After the queue's close: what still runs was past the grace period and runs again at the next start (or on another worker).
    close: () => pool.destroy(),
  };
}

/** Completes the check run of a review whose thread died (or was stopped at `budgetMs`), unless the review got to complete it. */
async function completeStopped(services: MainServices, job: ReviewJob, checkRunId: number, budgetMs: number | undefined, log: Logger): Promise<void> {
  const ref = { owner: job.owner, repo: job.repo, checkRunId };
  try {
    const octokit = await services.installation(job.installationId);
    if ((await getCheckRunState(octokit, ref)).status !== "completed") {
      const minutes = budgetMs === undefined ? 0 : Math.max(1, Math.round(budgetMs / 60_000));
      await completeCheckRun(octokit, {
        ...ref,
        ...(budgetMs === undefined
          ? {
              conclusion: "failure",
              title: STOPPED_TITLES.workerStopped,
              summary: "The worker running this review stopped before it finished (it crashed or ran out of memory), so nothing was reviewed or posted. Re-run this check to try again; if it fails again, the pull request may be too large to review.",
            }
          : {
              conclusion: "timed_out",
              title: STOPPED_TITLES.timedOut,
              summary: `This review was still running after ${minutes} minute${minutes === 1 ? "" : "s"}, so it was stopped to keep the check from blocking the pull request. Re-run this check to try again.`,
            }),
      });
    }
  } catch (error) {
    // The watchdog completes it later from its registry record.
    log.error({ err: error, checkRunId }, "could not complete the check run of a stopped review; the watchdog will");
  }
}
