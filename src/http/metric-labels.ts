/**
 * Metric label values come only from fixed sets: a label taken from a request header
 * would let anyone who can reach the port create a time series per value sent, and
 * grow the process's memory and every scrape without bound.
 */

/** Events the app subscribes to (app.yml) and the ones GitHub sends every app; the rest are `other`. */
export const WEBHOOK_EVENTS: ReadonlySet<string> = new Set([
  "pull_request",
  "issue_comment",
  "pull_request_review_comment",
  "check_run",
  "check_suite",
  "installation",
  "installation_repositories",
  "installation_target",
  "github_app_authorization",
  "meta",
  "ping",
]);

/** The `event` label of a delivery: its `x-github-event` if known, `none` when absent, else `other`. */
export function eventLabel(header: string | string[] | undefined): string {
  if (header === undefined) return "none";
  return typeof header === "string" && WEBHOOK_EVENTS.has(header) ? header : "other";
}

/** The `status` label of an HTTP status: the code when it is one (100–599), `0` for no answer, else `other`. */
export function statusLabel(status: unknown): string {
  if (status === 0) return "0";
  return typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "other";
}
