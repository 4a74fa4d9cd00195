import type { Probot } from "probot";
import type { AppIdentity } from "../github/app-identity.js";
import type { Octokit } from "../github/octokit.js";
import { statusLabel } from "../http/metric-labels.js";
import type { CheckRunRegistry } from "../jobs/check-run-registry.js";
import type { ReviewJob } from "../jobs/queue.js";
import type { Metrics } from "../metrics.js";
import { TtlCache } from "../ops/ttl-cache.js";
import type { HeadRegistry } from "../spend/newer-head.js";
import type { SpendLedger } from "../spend/spend-ledger.js";
import { makeRelayedRequest } from "./relayed-octokit.js";
import type { ReviewServices } from "./review-task.js";
import { githubSource } from "../snapshot/github-source.js";
import { downloadTarball } from "../snapshot/tarball-file.js";
import type { SnapshotCache } from "../snapshot/snapshot-cache.js";

/** What the main thread shares with every review, wherever it runs. */
export interface SharedServices {
  probot: Probot;
  appIdentity: () => Promise<AppIdentity>;
  spend: SpendLedger;
  heads: HeadRegistry;
  checkRuns?: CheckRunRegistry | undefined;
  metrics?: Metrics | undefined;
  /** The process's snapshot cache: the main thread downloads head tarballs into its folder (a stream cannot cross to a thread); threads extract them. */
  snapshots?: SnapshotCache | undefined;
}

/** Installations whose Octokit is kept, and for how long (the tokens themselves are Probot's cache's). */
const OCTOKITS = 1_000;
const OCTOKIT_TTL_MS = 30 * 60_000;

const statusOf = (error: unknown): number => {
  const status = typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
  return typeof status === "number" ? status : 0;
};

/** The main thread's installation Octokits (Probot's, throttled; its token cache), and the services of each review over them. */
export class MainServices {
  readonly #shared: SharedServices;
  readonly #octokits = new TtlCache<number, Promise<Octokit>>(OCTOKITS, OCTOKIT_TTL_MS);

  constructor(shared: SharedServices) {
    this.#shared = shared;
  }

  /** Probot's Octokit for the installation, GitHub errors counted; one per installation, so one throttling. */
  installation(installationId: number): Promise<Octokit> {
    let octokit = this.#octokits.get(installationId);
    if (!octokit) {
      octokit = (this.#shared.probot.auth(installationId) as Promise<Octokit>).then((client) => {
        client.hook.error("request", (error) => {
          this.#shared.metrics?.githubErrors.inc({ status: statusLabel(statusOf(error)) });
          throw error;
        });
        return client;
      });
      // A failed authentication is not kept: the next review tries again.
      octokit.catch(() => this.#octokits.delete(installationId));
      this.#octokits.set(installationId, octokit);
    }
    return octokit;
  }

  /** The registry of our check runs (the watchdog's open ones, each job's), when the process keeps one. */
  get checkRuns(): CheckRunRegistry | undefined {
    return this.#shared.checkRuns;
  }

  /** The review is over: its check run (if it got one) no longer needs the watchdog. */
  async finished(checkRunId: number | undefined, log: { warn(fields: object, message: string): void }): Promise<void> {
    if (checkRunId === undefined) return;
    await this.#shared.checkRuns?.finished(checkRunId).catch((error: unknown) => log.warn({ err: error }, "could not mark the check run finished"));
  }

  /** The services of one review job; `started` learns its check run's id. */
  forJob(job: Pick<ReviewJob, "id" | "installationId" | "owner" | "repo">, started: (checkRunId: number) => void): ReviewServices {
    const { spend, heads, checkRuns, metrics, appIdentity } = this.#shared;
    return {
      github: async (installationId, request) => makeRelayedRequest(await this.installation(installationId), request),
      appIdentity: () => appIdentity(),
      spendRemaining: (ceilings) => spend.remaining(ceilings),
      spendCharge: (ceilings, usd, tokens) => spend.charge(ceilings, usd, tokens),
      latestHead: (lane) => heads.latest(lane),
      announceHead: (lane, sha) => heads.announce(lane, sha),
      checkRunStarted: async (checkRunId) => {
        started(checkRunId);
        const run = { checkRunId, jobId: job.id, installationId: job.installationId, owner: job.owner, repo: job.repo, startedAt: Date.now() };
        // Losing the record only costs the watchdog's safety net, never the review.
        await checkRuns?.started(run).catch((error: unknown) => this.#shared.probot.log.warn({ err: error, job: job.id }, "could not record the check run for the watchdog"));
      },
      downloadTarball: async (installationId, ref) => {
        // Only the bytes, streamed to a file under DATA_DIR with this thread's token; the review's thread extracts them.
        if (!this.#shared.snapshots) throw new Error("no snapshot cache in this process");
        const started = Date.now();
        const file = await downloadTarball(githubSource(await this.installation(installationId), ref), this.#shared.snapshots.downloadDir);
        this.#shared.probot.log.info({ job: job.id, bytes: file.bytes, ms: Date.now() - started }, "head tarball downloaded for the review's thread");
        return file.path;
      },
      modelError: (status) => metrics?.modelErrors.inc({ status: statusLabel(status) }),
      spendHit: (scope) => metrics?.spendCeilingsHit.inc({ scope }),
    };
  }
}
