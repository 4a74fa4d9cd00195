import type { ModelClient } from "../engine/anthropic-client.js";
import type { Probot } from "probot";
import type { AgentDefinition } from "../agents/load-agent.js";
import { createRoleCache } from "../commands/cached-role.js";
import { RateLimiter } from "../commands/rate-limit.js";
import { runCommand, type CommandDeps, type CommandGuards } from "../commands/run-command.js";
import type { Job, JobHandler, JobQueue } from "../jobs/queue.js";
import type { Metrics } from "../metrics.js";
import { TtlCache } from "../ops/ttl-cache.js";
import { snapshotCacheFor, type SnapshotCache } from "../snapshot/snapshot-cache.js";
import type { Env } from "../config/env.js";
import type { SpendPolicy } from "../spend/spend-policy.js";
import type { MainServices } from "./main-services.js";
import type { ReviewRunner } from "./review-runner.js";

/** Slash commands allowed per PR in a window: enough for a conversation, not for a loop. */
export const DEFAULT_COMMAND_LIMIT = { max: 5, windowMs: 10 * 60_000 } as const;

/**
 * PR+user pairs remembered as told "not allowed": at most this many, each a day. A pair
 * forgotten is found again from the notice on GitHub (one listing), never told twice.
 */
const DENIED_ENTRIES = 10_000;
const DENIED_TTL_MS = 24 * 3600_000;

/** What the job handler needs: reviews go to the runner; commands run here with the app's client, agent and queue. */
export interface JobHandlerDeps {
  probot: Probot;
  reviews: ReviewRunner;
  services: MainServices;
  anthropic: ModelClient | undefined;
  agent: AgentDefinition;
  env: CommandDeps["env"] & Pick<Env, "DATA_DIR" | "SNAPSHOT_CACHE_MB">;
  queue: JobQueue;
  commandLimit?: { max: number; windowMs: number } | undefined;
  metrics?: Metrics | undefined;
  appIdentity: CommandDeps["appIdentity"];
  markers: CommandDeps["markers"];
  spend?: SpendPolicy | undefined;
  /** Head-commit snapshots for `ask`'s tools; one per process (built from DATA_DIR when absent). */
  snapshots?: SnapshotCache | undefined;
}

/**
 * The job handler the queue runs: a review goes to the review runner (a worker
 * thread), a command runs here with a logger that carries `{ repo, pr, job }` on every
 * line. The rate limit and the "told once" memory live as long as the handler.
 */
export function createJobHandler(deps: JobHandlerDeps): JobHandler {
  const limit = deps.commandLimit ?? DEFAULT_COMMAND_LIMIT;
  // One cache per process: the chunks of a review, later commands and restarts share a commit's download.
  const snapshots = deps.snapshots ?? snapshotCacheFor(deps.env);
  // A crash mid-extraction leaves a temporary directory behind: cleared at start.
  void snapshots.sweep().catch((error: unknown) => deps.probot.log.warn({ err: error }, "could not clear old snapshot downloads"));
  const denied = new TtlCache<string, true>(DENIED_ENTRIES, DENIED_TTL_MS);
  const guards: CommandGuards = {
    limiter: new RateLimiter(limit.max, limit.windowMs),
    denied: { has: (key) => denied.has(key), add: (key) => denied.set(key, true) },
    roles: createRoleCache(),
  };
  return async (job: Job): Promise<void> => {
    const started = Date.now();
    const log = deps.probot.log.child({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, sha: job.kind === "review" ? job.headSha : undefined, job: job.id });
    try {
      if (job.kind === "review") {
        log.info({ trigger: job.trigger, mode: job.mode, requestedBy: job.requestedBy }, "review started");
        const outcome = await deps.reviews.run(job, log);
        if (!outcome) return void deps.metrics?.jobsFailed.inc({ kind: job.kind });
        deps.metrics?.reviewDuration.observe({ conclusion: outcome.conclusion }, (Date.now() - started) / 1000);
        for (const [kind, n] of Object.entries(outcome.tools ?? {})) if (n > 0) deps.metrics?.toolUse.inc({ kind }, n);
        for (const [type, n] of Object.entries(outcome.usage)) if (typeof n === "number" && n > 0) deps.metrics?.modelTokens.inc({ type }, n);
        if (outcome.costUsd > 0) deps.metrics?.modelCost.inc(outcome.costUsd);
        deps.metrics?.jobsFinished.inc({ kind: job.kind });
        return;
      }
      const octokit = await deps.services.installation(job.installationId);
      log.info({ trigger: job.trigger, command: job.command.name, author: job.source.author }, "command started");
      const outcome = await runCommand(job, { octokit, log, anthropic: deps.anthropic, agent: deps.agent, env: deps.env, queue: deps.queue, guards, appIdentity: deps.appIdentity, markers: deps.markers, spend: deps.spend, snapshots });
      log.info({ command: job.command.name, outcome }, "command finished");
      deps.metrics?.jobsFinished.inc({ kind: job.kind });
    } catch (error) {
      deps.metrics?.jobsFailed.inc({ kind: job.kind });
      // Only reachable before a review's check run exists (authentication failed, a thread that died first): nothing to complete.
      log.error({ err: error, kind: job.kind }, "job failed before it could report");
    }
  };
}
