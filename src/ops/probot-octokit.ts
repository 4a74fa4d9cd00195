import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

/**
 * Probot's Octokit with GitHub writes at most one per `intervalMs` in this process,
 * instead of Octokit's 1 s (shared across processes on Redis). For test rigs and
 * GitHub Enterprise instances without secondary rate limits; GitHub.com asks for the default.
 */
export function octokitWithWriteInterval(intervalMs: number): typeof ProbotOctokit {
  const write = new Bottleneck.Group({ maxConcurrent: 1, minTime: intervalMs });
  // Probot layers its own defaults (throttle options included) over ours: patch the final options.
  return ProbotOctokit.defaults((options: { throttle?: object }) => ({ ...options, throttle: { ...options.throttle, write } }));
}
