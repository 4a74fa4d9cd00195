import { ProbotOctokit } from "probot";
import type { Octokit } from "../github/octokit.js";
import { transferring } from "./thread-rpc.js";

/** A GitHub request as it crosses to the main thread: Octokit's endpoint options without functions, auth or base URL. */
export type RelayedRequest = Record<string, unknown> & { method: string; url: string };

/** An answer's status line and headers. */
interface ResponseHead {
  status: number;
  url: string;
  headers: Record<string, unknown>;
}

/**
 * GitHub's answer, or its error (status and body kept: callers branch on the status, logs show the body).
 * A success carries its body as raw bytes (none for 204/205/HEAD): the main thread neither parses nor
 * clones it, and the bytes are transferred to the thread, which parses them.
 */
export type RelayedResponse =
  | (ResponseHead & { ok: true; body: ArrayBuffer | undefined })
  | { ok: false; name: string; message: string; status: number | undefined; response: (ResponseHead & { data: unknown }) | undefined };

/** How a thread has its GitHub requests made: by the main thread's installation Octokit. */
export type GitHubRelay = (installationId: number, request: RelayedRequest) => Promise<RelayedResponse>;

/** The largest answer body relayed: past it the request fails rather than holding the main thread's memory. */
export const MAX_RELAYED_BYTES = 256 * 1024 * 1024;

const Unthrottled = ProbotOctokit.defaults({ throttle: { enabled: false }, retry: { enabled: false } });

/**
 * An answer's body as @octokit/request would give it, from its bytes: JSON parsed, text decoded,
 * anything else as an ArrayBuffer. JSON goes through the native `JSON.parse`: Octokit's own
 * parser (json-with-bigint) runs a regex over the text first, which on Node 20 overflows the
 * regex stack for a string value of a few MB (a large patch in a PR's file list) and
 * silently hands back the text instead (`data` a string, pagination failing on it). GitHub's
 * ids are all below 2^53, so nothing needs a BigInt.
 */
export function decodeBody(headers: Record<string, unknown>, body: ArrayBuffer | undefined): unknown {
  if (body === undefined) return "";
  const type = typeof headers["content-type"] === "string" ? headers["content-type"] : "";
  const mime = (type.split(";")[0] ?? "").trim().toLowerCase();
  const text = (): string => new TextDecoder().decode(body);
  if (mime === "application/json" || mime === "application/scim+json") {
    const json = text();
    try {
      return JSON.parse(json) as unknown;
    } catch {
      return json;
    }
  }
  if (!type || mime.startsWith("text/") || (/charset="?utf-8/i.test(type) && mime !== "application/octet-stream")) return text();
  return body;
}

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
    const { request: local, baseUrl: _base, headers, ...rest } = options as unknown as Record<string, unknown> & { headers?: Record<string, unknown>; request?: { parseSuccessResponseBody?: boolean } };
    const { "user-agent": _agent, authorization: _auth, ...kept } = headers ?? {};
    const reply = await relay(installationId, { ...rest, headers: kept } as unknown as RelayedRequest);
    if (!reply.ok) throw Object.assign(new Error(reply.message), { name: reply.name, status: reply.status, response: reply.response });
    // A caller that asked for the raw body gets it as a stream, as from @octokit/request.
    const data = local?.parseSuccessResponseBody === false && reply.body ? new Blob([reply.body]).stream() : decodeBody(reply.headers, reply.body);
    return { status: reply.status, url: reply.url, headers: reply.headers, data } as never;
  });
  return octokit;
}

/** GitHub's API root as Probot derives it: GitHub.com, or GHE_HOST's `/api/v3`. */
export const githubApiUrl = (env: { GHE_HOST?: string | undefined; GHE_PROTOCOL: string }): string =>
  env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : "https://api.github.com";

/** The body's bytes, at most {@link MAX_RELAYED_BYTES}. */
async function readBody(stream: ReadableStream<Uint8Array>, url: string): Promise<ArrayBuffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > MAX_RELAYED_BYTES) {
      await stream.cancel().catch(() => undefined);
      throw new Error(`GitHub's answer to ${url} is over ${MAX_RELAYED_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  // One copy into a fresh buffer (transferable, unlike a slice of Node's pool).
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes.buffer;
}

/**
 * The main thread's side of {@link relayedOctokit}: makes the request with `octokit` and
 * returns its answer as data. A success's body is only read, never parsed here: parsing an
 * 8 MB file list took the webhook thread ~1 s, and the parsed object would then have been
 * cloned again onto the port; the bytes cross to the thread by transfer instead.
 */
export async function makeRelayedRequest(octokit: Octokit, request: RelayedRequest): Promise<RelayedResponse> {
  try {
    const { status, url, headers, data } = await octokit.request({ ...request, request: { parseSuccessResponseBody: false } } as never);
    // The fetch body (a web stream) when there is one; "" for 204/205 and HEAD.
    const stream = data as ReadableStream<Uint8Array> | string | null;
    const body = typeof stream === "object" && stream !== null && typeof stream.getReader === "function" ? await readBody(stream, url) : undefined;
    // Moved, not copied, when it crosses to a thread (the main side never reads it again).
    return transferring({ ok: true, status, url, headers: headers as Record<string, unknown>, body }, [body]);
  } catch (error) {
    const e = error as Error & { status?: unknown; response?: { status: number; url: string; headers: Record<string, unknown>; data: unknown } };
    const response = e.response ? { status: e.response.status, url: e.response.url, headers: e.response.headers, data: e.response.data } : undefined;
    return { ok: false, name: e.name ?? "Error", message: e.message ?? String(error), status: typeof e.status === "number" ? e.status : undefined, response };
  }
}
