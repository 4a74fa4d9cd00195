/**
 * The ports a job (review or command) gets from the main thread's services, wherever
 * it runs: GitHub through the main Octokit, the model client, the spend ceilings over
 * the main ledger, and head snapshots the main thread downloads.
 */
import type { Env } from "../config/env.js";
import { createModelClient, type ModelClient } from "../engine/anthropic-client.js";
import type { Octokit } from "../github/octokit.js";
import { countingFetch } from "../ops/counting-fetch.js";
import type { SnapshotCache, SnapshotOpener } from "../snapshot/snapshot-cache.js";
import type { Logger } from "pino";
import { readTarballFile } from "../snapshot/tarball-file.js";
import type { SpendLedger } from "../spend/spend-ledger.js";
import { SpendPolicy, spendLimitsOf } from "../spend/spend-policy.js";
import { githubApiUrl, relayedOctokit } from "./relayed-octokit.js";
import type { ReviewContext, ReviewServices } from "./review-task.js";

/** The services every job uses (a command's are these plus its own). */
export type TaskServices = Pick<ReviewServices, "github" | "appIdentity" | "spendRemaining" | "spendCharge" | "downloadTarball" | "modelError" | "spendHit">;

/** An Octokit whose requests the main thread's installation Octokit makes (one token cache, one throttling). */
export const taskOctokit = (installationId: number, services: TaskServices, env: Env): Octokit => relayedOctokit(installationId, services.github, githubApiUrl(env));

/** A model client per job, its failures counted by the job's services (the provider's client factory; cheap to make). */
export const taskModel = (services: TaskServices, env: Env): ModelClient | undefined => createModelClient(env, { fetch: countingFetch((status) => services.modelError(status)) });

/** The daily spend ceilings, over the main thread's ledger. */
export function taskSpend(services: TaskServices, env: Env): SpendPolicy {
  const ledger: SpendLedger = {
    remaining: (ceilings) => services.spendRemaining(ceilings),
    charge: (ceilings, usd, tokens) => services.spendCharge(ceilings, usd, tokens),
    close: async () => undefined,
  };
  return new SpendPolicy(ledger, spendLimitsOf(env), (scope) => services.spendHit(scope));
}

/**
 * Head snapshots, only when the commit is not cached: the main thread streams the tarball
 * to a file (a stream cannot cross threads, and only it holds the token); this thread
 * gunzips, parses and indexes it. The tree listing (JSON) goes through the relay.
 */
export const taskSnapshots = (installationId: number, services: TaskServices, cache: SnapshotCache, log: Pick<Logger, "info">): SnapshotOpener => ({
  open: (ref, source) =>
    cache.open(ref, {
      tarball: async () => {
        const path = await services.downloadTarball(installationId, ref);
        log.info("extracting the head tarball");
        return readTarballFile(path);
      },
      tree: () => source.tree(),
    }),
});

/** The ports every job (review or command) runs with, over the thread's context and the main thread's services. */
export function taskPorts(installationId: number, services: TaskServices, context: ReviewContext, log: Logger) {
  return {
    octokit: taskOctokit(installationId, services, context.env),
    log,
    anthropic: taskModel(services, context.env),
    agent: context.agent,
    env: context.env,
    appIdentity: () => services.appIdentity(),
    markers: context.markers,
    spend: taskSpend(services, context.env),
    snapshots: taskSnapshots(installationId, services, context.snapshots, log),
  };
}
