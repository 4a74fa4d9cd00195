import type { Logger } from "pino";
import { completeCheckRun, getCheckRunState } from "../github/check-run.js";
import type { Octokit } from "../github/octokit.js";
import { STOPPED_TITLES, type CheckRunRegistry, type TrackedCheckRun } from "./check-run-registry.js";

/** What the watchdog needs. */
export interface WatchdogDeps {
  registry: CheckRunRegistry;
  /** An installation-authenticated Octokit (Probot's `auth`). */
  auth(installationId: number): Promise<Octokit>;
  log: Logger;
  timeoutMs: number;
  intervalMs: number;
  /** Called for each run completed as timed_out. */
  onTimedOut?(run: TrackedCheckRun): void;
}

/** A running watchdog. */
export interface Watchdog {
  /** One pass now (also run at start); resolves when it is done. */
  sweep(): Promise<number>;
  stop(): void;
}

const statusOf = (error: unknown): unknown => (typeof error === "object" && error !== null && "status" in error ? error.status : undefined);

function explanation(run: TrackedCheckRun, timeoutMs: number): { title: string; summary: string } {
  if (run.startedAt === 0) {
    return {
      title: STOPPED_TITLES.interrupted,
      summary: "The server running this review stopped before it finished. The review was queued again and reports in a new check run; re-run this check if none appears.",
    };
  }
  const minutes = Math.round(timeoutMs / 60_000);
  return {
    title: STOPPED_TITLES.timedOut,
    summary: `This review was still running after ${minutes} minute${minutes === 1 ? "" : "s"}, so it was stopped to keep the check from blocking the pull request. Re-run this check to try again.`,
  };
}

/**
 * Completes any check run of ours left `in_progress` past the limit (or orphaned
 * by a dead process) as `timed_out` with an explanation: a required check that
 * never completes blocks merging forever. Runs one pass at start, then every interval.
 */
export function startWatchdog(deps: WatchdogDeps): Watchdog {
  let sweeping: Promise<number> | undefined;
  const pass = async (): Promise<number> => {
    let completed = 0;
    for (const run of await deps.registry.stale(Date.now() - deps.timeoutMs)) {
      const log = deps.log.child({ repo: `${run.owner}/${run.repo}`, job: run.jobId, checkRunId: run.checkRunId });
      try {
        const octokit = await deps.auth(run.installationId);
        const ref = { owner: run.owner, repo: run.repo, checkRunId: run.checkRunId };
        // The review may have completed it just before its process died: never overwrite a result.
        if ((await getCheckRunState(octokit, ref)).status !== "completed") {
          await completeCheckRun(octokit, { ...ref, conclusion: "timed_out", ...explanation(run, deps.timeoutMs) });
          deps.onTimedOut?.(run);
          completed++;
          log.warn({ orphaned: run.startedAt === 0 }, "check run completed as timed_out by the watchdog");
        }
        await deps.registry.finished(run.checkRunId);
      } catch (error) {
        // Gone (repo deleted, app uninstalled): nothing left to complete.
        if (statusOf(error) === 404) await deps.registry.finished(run.checkRunId);
        log.error({ err: error }, "watchdog could not complete a check run; retrying next pass");
      }
    }
    return completed;
  };
  const sweep = () => (sweeping ??= pass().finally(() => (sweeping = undefined)));
  const timer = setInterval(() => void sweep(), deps.intervalMs);
  timer.unref();
  void sweep();
  return { sweep, stop: () => clearInterval(timer) };
}
