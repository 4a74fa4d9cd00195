/**
 * A review in a worker thread (pool-thread.ts routes review jobs here): runs one review
 * job with the services the main thread serves on the task's port.
 */
import type { MessagePort } from "node:worker_threads";
import type { ReviewJob } from "../jobs/queue.js";
import type { ReviewOutcome } from "../review/run-review.js";
import { runReviewTask, type ReviewServices } from "./review-task.js";
import { threadContext, threadLogger } from "./thread-context.js";
import { rpcClient } from "./thread-rpc.js";

/** One task: the job, and the port its services are served on (transferred). */
export interface ReviewTaskMessage {
  job: ReviewJob;
  port: MessagePort;
}

/** Runs the task's review; the port is closed when it ends, so nothing of the task outlives it. */
export default async function reviewInThread({ job, port }: ReviewTaskMessage): Promise<ReviewOutcome> {
  try {
    const services = rpcClient<ThreadServices>(port);
    const ready = await threadContext();
    void services.taskStarted();
    return await runReviewTask(job, services, { ...ready, log: threadLogger(ready, "review") });
  } finally {
    port.close();
  }
}

/** What the main thread serves on a task's port: the review's services, and the signal that starts its time budget. */
export type ThreadServices = { [K in keyof ReviewServices]: ReviewServices[K] } & { taskStarted(): void };
