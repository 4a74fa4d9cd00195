/**
 * The entry of a review worker thread (Piscina loads it; from src/ through tsx in
 * development and tests, from dist/ in production). Its default export runs one review
 * job with the services the main thread serves on the task's port.
 */
import { snapshotCacheFor } from "../snapshot/snapshot-cache.js";
import type { MessagePort } from "node:worker_threads";
import { workerData } from "piscina";
import pino from "pino";
import { loadBundledAgent } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import type { ReviewJob } from "../jobs/queue.js";
import { createJsonLogger } from "../log.js";
import { createMarkerSigner } from "../review/marker-signer.js";
import type { ReviewOutcome } from "../review/run-review.js";
import { runReviewTask, type ReviewContext, type ReviewServices } from "./review-task.js";
import { rpcClient } from "./thread-rpc.js";

/** What the pool gives each thread once: the validated environment (without the GitHub App's private key: the main thread signs). */
export interface ReviewThreadData {
  env: Env;
}

/** One task: the job, and the port its services are served on (transferred). */
export interface ReviewTaskMessage {
  job: ReviewJob;
  port: MessagePort;
}

let context: Promise<ReviewContext> | undefined;

/** Built at the thread's first task and kept: the agent file is read and the model client made once a thread. */
async function buildContext(): Promise<ReviewContext> {
  const { env } = workerData as ReviewThreadData;
  if (!env.WEBHOOK_SECRET) throw new Error("WEBHOOK_SECRET is required to sign markers");
  const log = (createJsonLogger(env) ?? pino({ level: env.LOG_LEVEL })).child({ name: "probot", thread: "review" });
  return { env, agent: await loadBundledAgent(env.AGENT_FILE), snapshots: snapshotCacheFor(env), markers: createMarkerSigner(env.WEBHOOK_SECRET), log };
}

/** Runs the task's review; the port is closed when it ends, so nothing of the task outlives it. */
export default async function reviewInThread({ job, port }: ReviewTaskMessage): Promise<ReviewOutcome> {
  try {
    const services = rpcClient<ThreadServices>(port);
    const ready = await (context ??= buildContext());
    void services.taskStarted();
    return await runReviewTask(job, services, ready);
  } finally {
    port.close();
  }
}

/** What the main thread serves on a task's port: the review's services, and the signal that starts its time budget. */
export type ThreadServices = { [K in keyof ReviewServices]: ReviewServices[K] } & { taskStarted(): void };
