import type { Logger } from "pino";
import type { CommandGuards } from "../commands/command-guards.js";
import { replyToCommand } from "../commands/replies.js";
import type { CommandOutcome } from "../commands/run-command.js";
import type { CommandJob, JobQueue } from "../jobs/queue.js";
import type { MainServices } from "./main-services.js";
import type { CommandServices } from "./command-task.js";
import { inProcessTasks } from "./in-process-tasks.js";
import type { ReviewContext } from "./review-task.js";
import type { ThreadPool } from "./thread-pool.js";

/** Runs slash-command jobs: in the process's worker threads, or in this thread when REVIEW_WORKERS=0. */
export interface CommandRunner {
  /** The command's outcome; undefined when its thread died or ran out of time (the user was told, once the command was accepted). */
  run(job: CommandJob, log: Logger): Promise<CommandOutcome | undefined>;
}

/** What the runner serves commands from: the main thread's services, guards and queue, and the threads. */
export interface CommandRunnerDeps {
  services: MainServices;
  guards: CommandGuards;
  queue: Pick<JobQueue, "enqueue">;
  /** The bundled agent's name: the command a failure reply quotes. */
  agentName: string;
  /** The worker threads reviews run in; undefined: commands run here too. */
  pool: ThreadPool | undefined;
  /** The context of a command run in this thread (REVIEW_WORKERS=0). */
  inProcess: () => ReviewContext;
}

/**
 * Commands run where reviews do: `ask` prepares a diff, reads the repository and reads
 * the model's answer, none of which may share an event loop with the webhook thread.
 * A thread that dies or passes REVIEW_WORKER_TIMEOUT_SECONDS mid-command is replaced
 * (Piscina); when the command had been accepted (the 👀 reaction), the user gets a reply
 * saying it failed, never silence. An outsider's command that fails gets none, as in-process.
 */
export function createCommandRunner(deps: CommandRunnerDeps): CommandRunner {
  const servicesFor = (job: CommandJob, accepted: () => void): CommandServices => {
    const { github, appIdentity, spendRemaining, spendCharge, downloadTarball, modelError, spendHit } = deps.services.forJob(job, () => undefined);
    return {
      github, appIdentity, spendRemaining, spendCharge, downloadTarball, modelError, spendHit,
      ...deps.guards,
      enqueue: (review) => deps.queue.enqueue(review),
      commandAccepted: async () => accepted(),
    };
  };
  const { pool } = deps;
  if (!pool) {
    let context: ReviewContext | undefined;
    return {
      async run(job) {
        context ??= deps.inProcess();
        const { runCommandTask } = await inProcessTasks(context.env.MODEL_PROVIDER);
        return runCommandTask(job, servicesFor(job, () => undefined), context);
      },
    };
  }
  return {
    async run(job, log) {
      let accepted = false;
      const result = await pool.run<CommandOutcome>(job, servicesFor(job, () => (accepted = true)));
      if (result.ok) return result.value;
      // Stopped with the process, past the queue's grace period: the job is left to the next start (or another worker).
      if (pool.closing) return new Promise<never>(() => undefined);
      const { error, timedOut } = result;
      log.error({ err: error, timedOut, accepted }, timedOut ? "command thread passed its time budget and was stopped" : "command thread failed");
      if (accepted) await replyStopped(deps, job, timedOut ? pool.budgetMs : undefined, log);
      return undefined;
    },
  };
}

/** Tells the user their command stopped with its thread (or at `budgetMs`), from the main thread. */
async function replyStopped(deps: CommandRunnerDeps, job: CommandJob, budgetMs: number | undefined, log: Logger): Promise<void> {
  const text =
    budgetMs === undefined
      ? "This command failed: the worker running it stopped before it finished (it crashed or ran out of memory), so there is no answer. Try again in a few minutes."
      : `This command failed: it was still running after ${duration(budgetMs)}, so it was stopped. Try again in a few minutes.`;
  try {
    await replyToCommand(await deps.services.installation(job.installationId), job, deps.agentName, text);
  } catch (error) {
    log.error({ err: error }, "could not tell the user their command failed");
  }
}

/** A budget as a person reads it: seconds under two minutes, whole minutes above. */
function duration(ms: number): string {
  const [n, unit] = ms < 120_000 ? [Math.max(1, Math.round(ms / 1000)), "second"] : [Math.round(ms / 60_000), "minute"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
