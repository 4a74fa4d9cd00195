/**
 * The task runners of REVIEW_WORKERS=0, imported at the first job instead of at start:
 * with worker threads, the webhook thread never loads the review core, the rules'
 * parser or a model provider's SDK (about 25 MB of its RSS).
 */
import type { ModelProvider } from "../config/env.js";
import type { runCommandTask } from "./command-task.js";
import type { runReviewTask } from "./review-task.js";

/** What runs a job in this thread. */
export interface InProcessTasks {
  runReviewTask: typeof runReviewTask;
  runCommandTask: typeof runCommandTask;
}

let loaded: Promise<InProcessTasks> | undefined;

/** The review and command runners, with `provider`'s SDK loaded (once a process). */
export function inProcessTasks(provider: ModelProvider): Promise<InProcessTasks> {
  loaded ??= (async () => {
    // One after the other: jest's ESM loader (the tests') fails on parallel imports that share a dependency.
    const review = await import("./review-task.js");
    const command = await import("./command-task.js");
    await (await import("../engine/providers/provider-sdks.js")).loadProviderSdk(provider);
    return { runReviewTask: review.runReviewTask, runCommandTask: command.runCommandTask };
  })().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}
