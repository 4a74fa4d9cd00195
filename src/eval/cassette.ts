/**
 * Model exchanges on disk, so an eval runs again without a key and gives the same
 * answers: a `fetch` for the Anthropic SDK (`new Anthropic({ fetch })`) that stores
 * every answered request (`--record <dir>`) or answers from the store and refuses
 * any request it has not seen (`--replay <dir>`).
 *
 * A request is known by the SHA-256 of its path and body with the per-request
 * data-frame suffix (`<diff_4f9c…>`, random on purpose, see engine/data-frame.ts)
 * replaced by a fixed word: everything else in the body — model, system prompt,
 * diff, settings — decides the answer and stays in the hash.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

/** One stored exchange: what was asked (normalised, for a person to read) and what came back. */
export interface CassetteEntry {
  request: { path: string; body: unknown };
  response: { status: number; contentType: string; body: string };
}

/** A `fetch` that records or replays, and what it missed. */
export interface Cassette {
  fetch: typeof fetch;
  /** Hashes of requests a replay could not answer (each answered with a 400 the SDK does not retry). */
  readonly misses: string[];
  /** Exchanges written (record) or answered (replay). */
  readonly served: number;
}

/** The data frame's suffix appears first in the request's first tag, `<name_<16 hex>>`. */
const FRAME_SUFFIX = /_([0-9a-f]{16})>/;

/** The body with this request's frame suffix replaced: the part of a request that decides its answer. */
export function normaliseBody(body: string): string {
  const nonce = FRAME_SUFFIX.exec(body)?.[1];
  return nonce ? body.split(nonce).join("FRAME") : body;
}

/** The key of a request: stable across runs for the same case, configuration and prompt. */
export function requestHash(path: string, body: string): string {
  return createHash("sha256").update(`${path}\n${normaliseBody(body)}`).digest("hex").slice(0, 32);
}

const bodyText = (init: RequestInit | undefined): string => (typeof init?.body === "string" ? init.body : "");
const pathOf = (input: string | URL | Request): string => new URL(typeof input === "string" || input instanceof URL ? input : input.url).pathname;

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/** Records every successful exchange of `inner` (the real fetch by default) into `dir`. */
export function recordingCassette(dir: string, inner: typeof fetch = globalThis.fetch): Cassette {
  mkdirSync(dir, { recursive: true });
  const state = { misses: [] as string[], served: 0 };
  const recording: typeof fetch = async (input, init) => {
    const response = await inner(input, init);
    const text = await response.text();
    // Only answers are stored: an error stored would be replayed where the real API would be retried.
    if (response.ok) {
      const body = bodyText(init);
      const entry: CassetteEntry = {
        request: { path: pathOf(input), body: parsed(normaliseBody(body)) },
        response: { status: response.status, contentType: response.headers.get("content-type") ?? "application/json", body: text },
      };
      writeFileSync(join(dir, `${requestHash(entry.request.path, body)}.json`), `${JSON.stringify(entry, null, 1)}\n`);
      state.served++;
    }
    return new Response(text, { status: response.status, headers: response.headers });
  };
  return { fetch: recording, get misses() { return state.misses; }, get served() { return state.served; } };
}

/** Answers from `dir` only; a request not in it gets a 400 and is listed in `misses`. Nothing leaves the process. */
export function replayingCassette(dir: string): Cassette {
  const state = { misses: [] as string[], served: 0 };
  const replaying: typeof fetch = (input, init) => {
    const hash = requestHash(pathOf(input), bodyText(init));
    const file = join(dir, `${hash}.json`);
    if (!existsSync(file)) {
      state.misses.push(hash);
      const error = { type: "error", error: { type: "invalid_request_error", message: `the cassette ${dir} has no answer for request ${hash}` } };
      return Promise.resolve(new Response(JSON.stringify(error), { status: 400, headers: { "content-type": "application/json" } }));
    }
    const entry = JSON.parse(readFileSync(file, "utf8")) as CassetteEntry;
    state.served++;
    return Promise.resolve(new Response(entry.response.body, { status: entry.response.status, headers: { "content-type": entry.response.contentType, "request-id": `replay-${hash}` } }));
  };
  return { fetch: replaying, get misses() { return state.misses; }, get served() { return state.served; } };
}
