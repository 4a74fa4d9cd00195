import type { Octokit } from "./octokit.js";

/**
 * Counts the requests this Octokit sends from now on, pages of a listing and
 * GraphQL queries included, with a hook on `request` rather than by hand at each
 * call site. Registered after Probot's retry and throttling plugins, the hook sits
 * outside them: a request retried after a 5xx or a rate limit counts once.
 * The Octokit must be this job's own (`probot.auth` makes one per job).
 */
export function countRequests(octokit: Octokit): () => number {
  let sent = 0;
  octokit.hook.before("request", () => {
    sent++;
  });
  return () => sent;
}
