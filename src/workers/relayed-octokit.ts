import { ProbotOctokit } from "probot";
import type { Octokit } from "../github/octokit.js";

/** A GitHub request as it crosses to the main thread: Octokit's endpoint options without functions, auth or base URL. */
export type RelayedRequest = Record<string, unknown> & { method: string; url: string };

/** GitHub's answer, or its error (status and body kept: callers branch on the status, logs show the body). */
export type RelayedResponse =
  | { ok: true; status: number; url: string; headers: Record<string, unknown>; data: unknown }
  | { ok: false; name: string; message: string; status: number | undefined; response: { status: number; url: string; headers: Record<string, unknown>; data: unknown } | undefined };

/** How a thread has its GitHub requests made: by the main thread's installation Octokit. */
export type GitHubRelay = (installationId: number, request: RelayedRequest) => Promise<RelayedResponse>;

const Unthrottled = ProbotOctokit.defaults({ throttle: { enabled: false }, retry: { enabled: false } });

/**
 * An Octokit whose every request (REST, pagination, GraphQL) is made by `relay` for
 * `installationId`. Its own plugins are off: the main thread's Octokit holds the one
 * installation-token cache, the throttling (write spacing, secondary limits, shared
 * on Redis), the retries and the error metric, whichever thread a review runs in.
 */
export function relayedOctokit(installationId: number, relay: GitHubRelay, baseUrl: string): Octokit {
  // The base URL is the main Octokit's: pagination builds its next pages' absolute URLs from it.
  const octokit = new Unthrottled({ baseUrl }) as unknown as Octokit;
  octokit.hook.wrap("request", async (_request, options) => {
    // Functions (fetch, hooks, signals) cannot cross threads; the main Octokit has its own base URL and user agent.
    const { request: _local, baseUrl: _base, headers, ...rest } = options as unknown as Record<string, unknown> & { headers?: Record<string, unknown> };
    const { "user-agent": _agent, authorization: _auth, ...kept } = headers ?? {};
    const reply = await relay(installationId, { ...rest, headers: kept } as unknown as RelayedRequest);
    if (reply.ok) return { status: reply.status, url: reply.url, headers: reply.headers, data: reply.data } as never;
    throw Object.assign(new Error(reply.message), { name: reply.name, status: reply.status, response: reply.response });
  });
  return octokit;
}

/** GitHub's API root as Probot derives it: GitHub.com, or GHE_HOST's `/api/v3`. */
export const githubApiUrl = (env: { GHE_HOST?: string | undefined; GHE_PROTOCOL: string }): string =>
  env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : "https://api.github.com";

/** The main thread's side of {@link relayedOctokit}: makes the request with `octokit` and returns its answer as data. */
export async function makeRelayedRequest(octokit: Octokit, request: RelayedRequest): Promise<RelayedResponse> {
  try {
    const { status, url, headers, data } = await octokit.request(request as never);
    return { ok: true, status, url, headers: headers as Record<string, unknown>, data };
  } catch (error) {
    const e = error as Error & { status?: unknown; response?: { status: number; url: string; headers: Record<string, unknown>; data: unknown } };
    const response = e.response ? { status: e.response.status, url: e.response.url, headers: e.response.headers, data: e.response.data } : undefined;
    return { ok: false, name: e.name ?? "Error", message: e.message ?? String(error), status: typeof e.status === "number" ? e.status : undefined, response };
  }
}
