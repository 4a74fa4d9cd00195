import type { Logger } from "pino";
import type { AgentDefinition } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import type { AppIdentity } from "../github/app-identity.js";
import type { ReviewJob } from "../jobs/queue.js";
import type { MarkerSigner } from "../review/marker-signer.js";
import type { CommitRef } from "../snapshot/github-source.js";
import type { SnapshotCache } from "../snapshot/snapshot-cache.js";
import { runReview, type ReviewOutcome } from "../review/run-review.js";
import type { HeadRegistry } from "../spend/newer-head.js";
import type { Ceiling, Headroom, SpendScope } from "../spend/spend-ledger.js";
import type { GitHubRelay } from "./relayed-octokit.js";
import { taskPorts } from "./task-ports.js";

/**
 * What a review shares with the rest of the process, served by the main thread (over
 * a MessagePort when the review runs in a worker thread, directly when in-process):
 * one GitHub installation-token cache and throttling, one spend ledger and newer-head
 * registry, the app identity read once, the watchdog's check-run registry, the metrics.
 * Plain data in and out, so that a port can carry every call.
 */
export interface ReviewServices {
  github: GitHubRelay;
  appIdentity(): Promise<AppIdentity>;
  spendRemaining(ceilings: readonly Ceiling[]): Promise<Headroom[]>;
  spendCharge(ceilings: readonly Ceiling[], usd: number, tokens: number): Promise<void>;
  latestHead(lane: string): Promise<string | undefined>;
  announceHead(lane: string, sha: string): Promise<void>;
  /** The review's check run exists: recorded for the watchdog, and completed by the pool should the thread die. */
  checkRunStarted(checkRunId: number): Promise<void>;
  /** Has the main thread stream a head commit's tarball into a file under DATA_DIR (its path; the caller extracts and deletes it). */
  downloadTarball(installationId: number, ref: CommitRef): Promise<string>;
  modelError(status: number): void;
  spendHit(scope: SpendScope): void;
}

/** What stays in the thread that runs a review: settings, the agent, the marker key, the logger, the snapshot cache. */
export interface ReviewContext {
  env: Env;
  agent: AgentDefinition;
  /** Head-commit snapshots for the model's tools (on disk under DATA_DIR, shared by the process's threads). */
  snapshots: SnapshotCache;
  markers: MarkerSigner;
  log: Logger;
}

/** The logger fields of every line about a job. */
export const jobLogFields = (job: ReviewJob) => ({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, sha: job.headSha, job: job.id });

/**
 * Runs one review with the process's shared services: the one place the app calls
 * `runReview`, whether in a worker thread (review-thread.ts) or in-process (REVIEW_WORKERS=0).
 */
export function runReviewTask(job: ReviewJob, services: ReviewServices, context: ReviewContext): Promise<ReviewOutcome> {
  const heads: HeadRegistry = { latest: (lane) => services.latestHead(lane), announce: (lane, sha) => services.announceHead(lane, sha) };
  const log = context.log.child(jobLogFields(job));
  return runReview(job, {
    ...taskPorts(job.installationId, services, context, log),
    heads,
    onCheckRunStarted: (id) => services.checkRunStarted(id),
  });
}
