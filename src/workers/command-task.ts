import type { CommandGuards } from "../commands/command-guards.js";
import { runCommand, type CommandOutcome } from "../commands/run-command.js";
import type { CommandJob, EnqueueResult, ReviewJob } from "../jobs/queue.js";
import type { ReviewContext } from "./review-task.js";
import { taskPorts, type TaskServices } from "./task-ports.js";

/**
 * What a slash command shares with the rest of the process, served by the main thread
 * (over the task's port in a worker thread, directly in-process): the services every
 * job has (GitHub, spend, snapshots, the app identity), the process's command guards
 * (rate limit, roles, "told once"), the queue a `review` command adds to, and the
 * signal that the command was accepted (so that a thread dying past it gets a reply).
 */
export type CommandServices = TaskServices &
  CommandGuards & {
    enqueue(job: ReviewJob): Promise<EnqueueResult>;
    commandAccepted(): Promise<void>;
  };

/** The logger fields of every line about a command job. */
export const commandLogFields = (job: CommandJob) => ({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, job: job.id });

/**
 * Runs one slash command with the process's shared services: the one place the app
 * calls `runCommand`, whether in a worker thread (command-thread.ts) or in-process
 * (REVIEW_WORKERS=0). `ask` answers through the core (`answerQuestion`) as before;
 * only where it runs changed.
 */
export function runCommandTask(job: CommandJob, services: CommandServices, context: ReviewContext): Promise<CommandOutcome> {
  const log = context.log.child(commandLogFields(job));
  return runCommand(job, {
    ...taskPorts(job.installationId, services, context, log),
    queue: { enqueue: (review) => services.enqueue(review as ReviewJob) },
    guards: {
      take: (key) => services.take(key),
      role: (ref) => services.role(ref),
      knownDenied: (ref, key) => services.knownDenied(ref, key),
      markDenied: (key) => services.markDenied(key),
    },
    accepted: () => services.commandAccepted(),
  });
}
