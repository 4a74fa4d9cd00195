import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { Logger } from "pino";
import type { Env } from "../config/env.js";
import { completeCheckRun, getCheckRunStatus } from "../github/check-run.js";
import type { ReviewJob } from "../jobs/queue.js";
import type { ReviewOutcome } from "../review/run-review.js";
import type { MainServices } from "./main-services.js";
import type { ReviewThreadData, ReviewTaskMessage, ThreadServices } from "./review-thread.js";
import { runReviewTask, type ReviewContext } from "./review-task.js";
import { serveRpc } from "./thread-rpc.js";
import { threadEntry } from "./thread-entry.js";

/** How much less CPU priority a review thread has than the webhook thread. */
const REVIEW_THREAD_NICE = 10;

/**
 * A review thread's young generation (V8's default grows to 48 MB a thread): a review's
 * garbage is short-lived, so small scavenges cost little CPU, while the default held a
 * 400-file review's process at ~360 MB peak RSS against ~320 MB with this
 * (`npm run bench -- review-threads`).
 */
const REVIEW_THREAD_YOUNG_GENERATION_MB = 8;

/** Runs review jobs: in a pool of worker threads, or in this thread when REVIEW_WORKERS=0. */
export interface ReviewRunner {
  /** The review's outcome; undefined when its thread died or ran out of time (its check run was completed saying so). */
  run(job: ReviewJob, log: Logger): Promise<ReviewOutcome | undefined>;
  /** Worker threads (0: in-process). */
  readonly threads: number;
  close(): Promise<void>;
}

/** The settings a thread gets: the GitHub App's private key stays in the main thread, which alone authenticates to GitHub. */
function threadEnv(env: Env): Env {
  const { PRIVATE_KEY: _key, PRIVATE_KEY_PATH: _path, ...rest } = env;
  return rest as Env;
}

/**
 * The process environment a thread sees, given explicitly (this module's `process.env`, as
 * the credential chains of the providers' SDKs read it) and without the private key.
 */
function threadProcessEnv(): NodeJS.ProcessEnv {
  const { PRIVATE_KEY: _key, PRIVATE_KEY_PATH: _path, ...rest } = process.env;
  return rest;
}

/**
 * A pool of `REVIEW_WORKERS` threads, each running up to its share of
 * REVIEW_CONCURRENCY reviews: parsing, redaction, rules, rendering and the model's
 * answers never share the webhook thread's event loop. A thread that throws, dies
 * (`process.exit`, out of heap) or passes REVIEW_WORKER_TIMEOUT_SECONDS is replaced by
 * Piscina; its review's check run is completed here, saying what happened, so that a
 * required check never hangs; the job ends (a re-run of the check tries again).
 */
export function createReviewRunner(env: Env, services: MainServices, inProcess: () => ReviewContext): ReviewRunner {
  if (env.REVIEW_WORKERS === 0) {
    let context: ReviewContext | undefined;
    return {
      threads: 0,
      async run(job, log) {
        let checkRunId: number | undefined;
        try {
          return await runReviewTask(job, services.forJob(job, (id) => (checkRunId = id)), (context ??= inProcess()));
        } finally {
          await services.finished(checkRunId, log);
        }
      },
      close: async () => undefined,
    };
  }
  const threads = Math.min(env.REVIEW_WORKERS, env.REVIEW_CONCURRENCY);
  const entry = threadEntry(new URL("./review-thread.js", import.meta.url));
  const pool = new Piscina<ReviewTaskMessage, ReviewOutcome>({
    filename: entry.filename,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Infinity,
    // Reviews wait on the network most of the time: a thread runs several, and must not block between them.
    concurrentTasksPerWorker: Math.ceil(env.REVIEW_CONCURRENCY / threads),
    atomics: "disabled",
    // Below the webhook thread in the CPU scheduler's eyes (Linux threads have their own nice value): acks and health answers first.
    niceIncrement: REVIEW_THREAD_NICE,
    resourceLimits: { maxOldGenerationSizeMb: env.REVIEW_WORKER_HEAP_MB, maxYoungGenerationSizeMb: REVIEW_THREAD_YOUNG_GENERATION_MB },
    workerData: { ...entry.workerData, env: threadEnv(env) } satisfies ReviewThreadData,
    env: threadProcessEnv(),
  });
  // A thread that fails to start (a broken build) is reported with its task; this keeps the pool from throwing unhandled.
  pool.on("error", () => undefined);
  const budgetMs = env.REVIEW_WORKER_TIMEOUT_SECONDS * 1000;
  let closing = false;
  return {
    threads,
    async run(job, log) {
      let checkRunId: number | undefined;
      let timedOut = false;
      let budget: NodeJS.Timeout | undefined;
      const stop = new AbortController();
      const { port1, port2 } = new MessageChannel();
      serveRpc(port1, {
        ...services.forJob(job, (id) => (checkRunId = id)),
        // The budget runs from the review's start in its thread: a thread still starting (or a full pool) does not spend it.
        taskStarted: () => void (budget ??= setTimeout(() => ((timedOut = true), stop.abort()), budgetMs).unref()),
      } satisfies ThreadServices);
      try {
        return await pool.run({ job, port: port2 }, { transferList: [port2], signal: stop.signal });
      } catch (error) {
        // Stopped with the process, past the queue's grace period: as in-process, the review never ends here. Its job is
        // left to the next start (or another worker), its check run in the registry for the watchdog.
        if (closing) return new Promise<never>(() => undefined);
        log.error({ err: error, checkRunId, timedOut }, timedOut ? "review thread passed its time budget and was stopped" : "review thread failed");
        if (checkRunId === undefined) throw error;
        await completeStopped(services, job, checkRunId, timedOut ? budgetMs : undefined, log);
        return undefined;
      } finally {
        clearTimeout(budget);
        port1.close();
        if (!closing) await services.finished(checkRunId, log);
      }
    },
    // After the queue's close: what still runs was past the grace period and runs again at the next start (or on another worker).
    close: () => {
      closing = true;
      return pool.destroy();
    },
  };
}

/** Completes the check run of a review whose thread died (or was stopped at `budgetMs`), unless the review got to complete it. */
async function completeStopped(services: MainServices, job: ReviewJob, checkRunId: number, budgetMs: number | undefined, log: Logger): Promise<void> {
  const ref = { owner: job.owner, repo: job.repo, checkRunId };
  try {
    const octokit = await services.installation(job.installationId);
    if ((await getCheckRunStatus(octokit, ref)) !== "completed") {
      const minutes = budgetMs === undefined ? 0 : Math.max(1, Math.round(budgetMs / 60_000));
      await completeCheckRun(octokit, {
        ...ref,
        ...(budgetMs === undefined
          ? {
              conclusion: "failure",
              title: "Review failed: the review worker stopped",
              summary: "The worker running this review stopped before it finished (it crashed or ran out of memory), so nothing was reviewed or posted. Re-run this check to try again; if it fails again, the pull request may be too large to review.",
            }
          : {
              conclusion: "timed_out",
              title: "Review timed out",
              summary: `This review was still running after ${minutes} minute${minutes === 1 ? "" : "s"}, so it was stopped to keep the check from blocking the pull request. Re-run this check to try again.`,
            }),
      });
    }
  } catch (error) {
    // The watchdog completes it later from its registry record.
    log.error({ err: error, checkRunId }, "could not complete the check run of a stopped review; the watchdog will");
  }
}
