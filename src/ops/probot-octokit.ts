import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

/** How Probot's Octokit throttles GitHub requests, beyond Octokit's defaults. */
export interface ThrottleSettings {
  /** Minimum gap between GitHub writes of this process instead of Octokit's 1 s (shared on Redis). */
  writeIntervalMs?: number | undefined;
  /**
   * The Redis connection through which processes share GitHub's rate budget (Bottleneck
   * clustering). Ours rather than Probot's own (which it opens from REDIS_URL), so that
   * its errors go through the same rate-limited log as every other Redis connection.
   */
  connection?: Bottleneck.IORedisConnection | undefined;
}

/**
 * Probot's Octokit with these throttle settings, or undefined when there are none.
 * `writeIntervalMs` is for test rigs and GitHub Enterprise instances without secondary
 * rate limits; GitHub.com asks for the default.
 */
export function throttledOctokit(settings: ThrottleSettings): typeof ProbotOctokit | undefined {
  const { writeIntervalMs, connection } = settings;
  if (writeIntervalMs === undefined && !connection) return undefined;
  const write = writeIntervalMs === undefined ? undefined : new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs });
  const extra = { ...(write ? { write } : {}), ...(connection ? { Bottleneck, connection } : {}) };
  // Probot layers its own defaults (throttle options included) over ours: patch the final options.
  return ProbotOctokit.defaults((options: { throttle?: object }) => ({ ...options, throttle: { ...options.throttle, ...extra } }));
}

/** Probot's Octokit with GitHub writes at most one per `intervalMs` in this process. */
export function octokitWithWriteInterval(intervalMs: number): typeof ProbotOctokit {
  return throttledOctokit({ writeIntervalMs: intervalMs })!;
}
