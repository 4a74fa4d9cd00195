/**
 * What a worker thread builds once and keeps for its tasks (reviews and slash commands):
 * the settings the pool gave it, the bundled agent, the marker key, the snapshot cache
 * on disk and its logger.
 */
import { workerData } from "piscina";
import pino from "pino";
import { loadBundledAgent } from "../agents/load-agent.js";
import { loadProviderSdk } from "../engine/anthropic-client.js";
import { createJsonLogger } from "../log.js";
import { createMarkerSigner } from "../review/marker-signer.js";
import { snapshotCacheFor } from "../snapshot/snapshot-cache.js";
import type { PoolThreadData } from "./pool-thread.js";
import type { ReviewContext } from "./review-task.js";

let context: Promise<ReviewContext> | undefined;

async function buildContext(): Promise<ReviewContext> {
  const { env } = workerData as PoolThreadData;
  if (!env.WEBHOOK_SECRET) throw new Error("WEBHOOK_SECRET is required to sign markers");
  const log = createJsonLogger(env) ?? pino({ level: env.LOG_LEVEL });
  await loadProviderSdk(env.MODEL_PROVIDER);
  return { env, agent: await loadBundledAgent(env.AGENT_FILE), snapshots: snapshotCacheFor(env), markers: createMarkerSigner(env.WEBHOOK_SECRET), log };
}

/** The thread's context, built at its first task (the agent file is read once a thread). */
export const threadContext = (): Promise<ReviewContext> => (context ??= buildContext());

/**
 * The logger of a task of `kind` in a thread: `thread` says which kind of task
 * logged a line, and that it ran off the webhook thread (in-process lines lack it).
 */
export const threadLogger = (ready: ReviewContext, kind: "review" | "command") => ready.log.child({ name: "probot", thread: kind });
