import type { ModelClient } from "../engine/anthropic-client.js";
import type { Probot } from "probot";
import type { AgentDefinition } from "../agents/load-agent.js";
import { createRoleCache } from "../commands/cached-role.js";
import { RateLimiter } from "../commands/rate-limit.js";
import { runCommand, type CommandDeps, type CommandGuards } from "../commands/run-command.js";
import type { Octokit } from "../github/octokit.js";
import { runReview, type ReviewDeps } from "../review/run-review.js";
import { statusLabel } from "../http/metric-labels.js";
import type { Metrics } from "../metrics.js";
import { TtlCache } from "../ops/ttl-cache.js";
import { SnapshotCache } from "../snapshot/snapshot-cache.js";
import type { Env } from "../config/env.js";
import { join } from "node:path";
import type { HeadRegistry } from "../spend/newer-head.js";
import type { SpendPolicy } from "../spend/spend-policy.js";
import type { CheckRunRegistry } from "./check-run-registry.js";
import type { Job, JobQueue } from "./queue.js";

/** Slash commands allowed per PR in a window: enough for a conversation, not for a loop. */
export const DEFAULT_COMMAND_LIMIT = { max: 5, windowMs: 10 * 60_000 } as const;

/**
 * PR+user pairs remembered as told "not allowed": at most this many, each a day. A pair
 * forgotten is found again from the notice on GitHub (one listing), never told twice.
 */
const DENIED_ENTRIES = 10_000;
const DENIED_TTL_MS = 24 * 3600_000;

/** What the worker needs: the app, the model client, the bundled agent, the queue for reviews that commands ask for. */
export interface WorkerDeps {
  probot: Probot;
  anthropic: ModelClient | undefined;
  agent: AgentDefinition;
  env: ReviewDeps["env"] & CommandDeps["env"] & Pick<Env, "DATA_DIR" | "SNAPSHOT_CACHE_MB">;
  queue: JobQueue;
  commandLimit?: { max: number; windowMs: number } | undefined;
  /** Where the check runs reviews start are recorded for the watchdog. */
  checkRuns?: CheckRunRegistry | undefined;
  metrics?: Metrics | undefined;
  /** This app's identity, read once per process (`appIdentityGetter` in src/github/app-identity.ts). */
  appIdentity: ReviewDeps["appIdentity"];
  /** The marker key (derived from WEBHOOK_SECRET). */
  markers: ReviewDeps["markers"];
  /** Daily spend ceilings and where newer heads are announced (src/spend). */
  spend?: SpendPolicy | undefined;
  heads?: HeadRegistry | undefined;
  /** Head-commit snapshots for the model's tools; one per process (built from DATA_DIR when absent). */
  snapshots?: SnapshotCache | undefined;
}

const statusOf = (error: unknown): number => {
  const status = typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
  return typeof status === "number" ? status : 0;
};

/**
 * The job handler: authenticates as the job's installation and runs a review or
 * a command with a logger that carries `{ repo, pr, sha, job }` on every line.
 * The rate limit and the "told once" memory live as long as the worker.
 */
export function createWorker(deps: WorkerDeps) {
  const limit = deps.commandLimit ?? DEFAULT_COMMAND_LIMIT;
  // One cache per process: the chunks of a review, later commands and restarts share a commit's download.
  const snapshots = deps.snapshots ?? new SnapshotCache({ dir: join(deps.env.DATA_DIR, "snapshots"), maxBytes: deps.env.SNAPSHOT_CACHE_MB * 1_000_000 });
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
      const octokit = (await deps.probot.auth(job.installationId)) as Octokit;
      octokit.hook.error("request", (error) => {
        deps.metrics?.githubErrors.inc({ status: statusLabel(statusOf(error)) });
        throw error;
      });
      if (job.kind === "review") {
        log.info({ trigger: job.trigger, mode: job.mode, requestedBy: job.requestedBy }, "review started");
        let checkRunId: number | undefined;
        const onCheckRunStarted = async (id: number) => {
          checkRunId = id;
          const run = { checkRunId: id, jobId: job.id, installationId: job.installationId, owner: job.owner, repo: job.repo, startedAt: Date.now() };
          // Losing the record only costs the watchdog's safety net, never the review.
          await deps.checkRuns?.started(run).catch((error: unknown) => log.warn({ err: error }, "could not record the check run for the watchdog"));
        };
        const outcome = await runReview(job, { octokit, log, anthropic: deps.anthropic, agent: deps.agent, env: deps.env, onCheckRunStarted, appIdentity: deps.appIdentity, markers: deps.markers, spend: deps.spend, heads: deps.heads, snapshots });
        if (checkRunId !== undefined) await deps.checkRuns?.finished(checkRunId).catch((error: unknown) => log.warn({ err: error }, "could not mark the check run finished"));
        deps.metrics?.reviewDuration.observe({ conclusion: outcome.conclusion }, (Date.now() - started) / 1000);
        for (const [kind, n] of Object.entries(outcome.tools ?? {})) if (n > 0) deps.metrics?.toolUse.inc({ kind }, n);
        for (const [type, n] of Object.entries(outcome.usage)) if (typeof n === "number" && n > 0) deps.metrics?.modelTokens.inc({ type }, n);
        if (outcome.costUsd > 0) deps.metrics?.modelCost.inc(outcome.costUsd);
        deps.metrics?.jobsFinished.inc({ kind: job.kind });
        return;
      }
      log.info({ trigger: job.trigger, command: job.command.name, author: job.source.author }, "command started");
      const outcome = await runCommand(job, { octokit, log, anthropic: deps.anthropic, agent: deps.agent, env: deps.env, queue: deps.queue, guards, appIdentity: deps.appIdentity, markers: deps.markers, spend: deps.spend, snapshots });
      log.info({ command: job.command.name, outcome }, "command finished");
      deps.metrics?.jobsFinished.inc({ kind: job.kind });
    } catch (error) {
      deps.metrics?.jobsFailed.inc({ kind: job.kind });
      // Only reachable before a review's check run exists (authentication failed): nothing to complete.
      log.error({ err: error, kind: job.kind }, "job failed before it could report");
    }
  };
}
