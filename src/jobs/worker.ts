import type Anthropic from "@anthropic-ai/sdk";
import type { Probot } from "probot";
import type { AgentDefinition } from "../agents/load-agent.js";
import { RateLimiter } from "../commands/rate-limit.js";
import { runCommand, type CommandDeps, type CommandGuards } from "../commands/run-command.js";
import type { Octokit } from "../github/octokit.js";
import { runReview, type ReviewDeps } from "../review/run-review.js";
import type { Job, JobQueue } from "./queue.js";

/** Slash commands allowed per PR in a window: enough for a conversation, not for a loop. */
export const DEFAULT_COMMAND_LIMIT = { max: 5, windowMs: 10 * 60_000 } as const;

/** What the worker needs: the app, the model client, the bundled agent, the queue for reviews that commands ask for. */
export interface WorkerDeps {
  probot: Probot;
  anthropic: Anthropic | undefined;
  agent: AgentDefinition;
  env: ReviewDeps["env"] & CommandDeps["env"];
  queue: JobQueue;
  commandLimit?: { max: number; windowMs: number } | undefined;
}

/**
 * The job handler: authenticates as the job's installation and runs a review or
 * a command with a logger that carries `{ repo, pr, sha, job }` on every line.
 * The rate limit and the "told once" memory live as long as the worker.
 */
export function createWorker(deps: WorkerDeps) {
  const limit = deps.commandLimit ?? DEFAULT_COMMAND_LIMIT;
  const guards: CommandGuards = { limiter: new RateLimiter(limit.max, limit.windowMs), denied: new Set() };
  return async (job: Job): Promise<void> => {
    const log = deps.probot.log.child({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, sha: job.kind === "review" ? job.headSha : undefined, job: job.id });
    try {
      const octokit = (await deps.probot.auth(job.installationId)) as Octokit;
      if (job.kind === "review") {
        log.info({ trigger: job.trigger, mode: job.mode, requestedBy: job.requestedBy }, "review started");
        await runReview(job, { octokit, log, anthropic: deps.anthropic, agent: deps.agent, env: deps.env });
        return;
      }
      log.info({ trigger: job.trigger, command: job.command.name, author: job.source.author }, "command started");
      const outcome = await runCommand(job, { octokit, log, anthropic: deps.anthropic, agent: deps.agent, env: deps.env, queue: deps.queue, guards });
      log.info({ command: job.command.name, outcome }, "command finished");
    } catch (error) {
      // Only reachable before a review's check run exists (authentication failed): nothing to complete.
      log.error({ err: error, kind: job.kind }, "job failed before it could report");
    }
  };
}
