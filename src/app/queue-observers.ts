import type { Logger } from "pino";
import type { QueueEvents } from "../jobs/open-queue.js";
import type { JobQueue } from "../jobs/queue.js";
import type { Metrics } from "../metrics.js";
import type { RedisErrorLog } from "../ops/redis-error-log.js";

/** What happens to jobs, told to the logs and the metrics. */
export function queueObservers(metrics: Metrics, log: () => Logger, redisErrors: RedisErrorLog | undefined): QueueEvents {
  return {
    superseded: (job, by) => {
      metrics.jobsSuperseded.inc();
      const sha = job.kind === "review" ? job.headSha : undefined;
      log().info({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, sha, job: job.id, by: by?.id }, "waiting review superseded by a newer head");
    },
    recovered: (count) => {
      metrics.jobsRecovered.inc(count);
      log().warn({ count }, "jobs left running by a stopped process queued again");
    },
    failed: (job, error) => {
      // Without a job it is the queue's own trouble (Redis, the store): the jobs stay queued, none failed.
      // An unreachable Redis is said once per outage by redisErrors, not at every retry.
      if (!job && redisErrors?.report(error)) return;
      if (!job) return void log().error({ err: error }, "queue error; queued jobs are kept and tried again");
      metrics.jobsFailed.inc({ kind: job.kind });
      log().error({ err: error, job: job.id }, "job failed");
    },
  };
}

/** The queue as handlers see it: every offer is counted by kind and result. */
export function countingQueue(queue: JobQueue, metrics: Metrics): JobQueue {
  return {
    async enqueue(job) {
      const result = await queue.enqueue(job);
      metrics.jobsEnqueued.inc({ kind: job.kind, result: result.queued ? "queued" : result.reason });
      return result;
    },
    start: (handler) => queue.start(handler),
    close: (graceMs) => queue.close(graceMs),
    stats: () => queue.stats(),
  };
}
