/**
 * A slash command in a worker thread (pool-thread.ts routes command jobs here): `ask`
 * prepares the diff, reads the repository and calls the model off the webhook thread.
 */
import { threadId, type MessagePort } from "node:worker_threads";
import type { CommandOutcome } from "../commands/run-command.js";
import type { CommandJob } from "../jobs/queue.js";
import { runCommandTask, type CommandServices } from "./command-task.js";
import { threadContext, threadLogger } from "./thread-context.js";
import { rpcClient } from "./thread-rpc.js";

/** One task: the command job, and the port its services are served on (transferred). */
export interface CommandTaskMessage {
  job: CommandJob;
  port: MessagePort;
}

/** What the main thread serves on a command task's port: its services, and the signal that starts its time budget. */
export type CommandThreadServices = { [K in keyof CommandServices]: CommandServices[K] } & { taskStarted(): void };

/** Runs the task's command; the port is closed when it ends, so nothing of the task outlives it. */
export default async function commandInThread({ job, port }: CommandTaskMessage): Promise<CommandOutcome> {
  try {
    const services = rpcClient<CommandThreadServices>(port);
    const ready = await threadContext();
    void services.taskStarted();
    const log = threadLogger(ready, "command");
    log.debug({ job: job.id, command: job.command.name, threadId }, "command running in a worker thread");
    return await runCommandTask(job, services, { ...ready, log });
  } finally {
    port.close();
  }
}
