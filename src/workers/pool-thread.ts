/**
 * The entry of a worker thread (Piscina loads it; from src/ through tsx in development
 * and tests, from dist/ in production): runs one task, a review or a slash command,
 * with the services the main thread serves on the task's port.
 */
import type { Env } from "../config/env.js";
import commandInThread, { type CommandTaskMessage } from "./command-thread.js";
import reviewInThread, { type ReviewTaskMessage } from "./review-thread.js";

/** What the pool gives each thread once: the validated environment (without the GitHub App's private key: the main thread signs). */
export interface PoolThreadData {
  env: Env;
}

/** One task: its job (which says what it is) and its port (transferred). */
export type PoolTaskMessage = ReviewTaskMessage | CommandTaskMessage;

const isCommand = (task: PoolTaskMessage): task is CommandTaskMessage => task.job.kind === "command";

/** Runs the task's review or command. */
export default function runInThread(task: PoolTaskMessage): Promise<unknown> {
  return isCommand(task) ? commandInThread(task) : reviewInThread(task);
}
