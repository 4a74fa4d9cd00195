import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmitterWebhookEvent, Webhooks } from "@octokit/webhooks";
import type { Logger } from "pino";

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones, so nothing larger is GitHub's. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** Settings of {@link createWebhookMiddleware}. */
export interface WebhookMiddlewareOptions {
  path: string;
  log: Logger;
  /** Bodies above this many bytes are answered 413 before any of it is parsed (default 25 MiB). */
  maxBodyBytes?: number | undefined;
  /**
   * How long a delivery may take before it is answered 202 "still processing" (default 9 s,
   * as `@octokit/webhooks` does: GitHub gives up after 10 s).
   */
  timeoutMs?: number | undefined;
}

const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/iu;

/** Why a body was not read: too large, or the client went away. */
class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Reads the body, counting bytes as they arrive (a chunked body has no content-length to
 * trust), and stops at `limit`: the rest is never buffered.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: BodyError) => {
      req.off("data", onData);
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(new BodyError(413, `payload larger than ${limit} bytes`));
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", () => fail(new BodyError(400, "request body not received")));
    req.once("aborted", () => fail(new BodyError(400, "request aborted")));
  });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
};

/**
 * Answers and, when the body was not read to its end, closes the connection: reading
 * on to find the next request would mean receiving the rest of an oversized body.
 */
function answer(req: IncomingMessage, res: ServerResponse, status: number, body: string, type = "application/json", close = false): void {
  if (res.headersSent || res.writableEnded) return;
  const headers: Record<string, string> = { "content-type": type, "content-length": String(Buffer.byteLength(body)) };
  if (close) headers.connection = "close";
  res.writeHead(status, headers).end(body, () => {
    if (!close) return;
    // A lingering close: closing with the client's bytes unread resets the connection, and a client still
    // sending may lose the answer with it. So the rest is read and dropped for a moment (bounded), then closed.
    req.resume();
    req.socket.end();
    setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  });
}

/** How long an answered oversized request's connection is drained before it is closed. */
const LINGER_MS = 2_000;

const jsonError = (message: string) => JSON.stringify({ error: message });

/** The first status an AggregateError of the handlers carries (503: the queue is down), else 500. */
function statusOf(error: unknown): { status: number; message: string } {
  const errors = error instanceof AggregateError ? [...(error.errors as unknown[])] : [error];
  const first = errors[0];
  const status = typeof first === "object" && first !== null && "status" in first && typeof first.status === "number" ? first.status : 500;
  const message = first instanceof Error ? `${first.name}: ${first.message}` : "Error: An Unspecified error occurred";
  return { status, message };
}

/**
 * The webhook endpoint, in place of `@octokit/webhooks`' `createNodeMiddleware`, whose
 * reader buffers any body and whose log line for a bad signature carries the whole
 * payload. Same answers otherwise: 200 "ok", 202 after `timeoutMs`, a handler error's
 * `status` (503 when the queue is down), 400/404/415 for what is not a delivery.
 * Oversized bodies get 413 without being parsed or passed on; a bad signature is one
 * warn line (delivery id, event, reason) and 400.
 */
/** A path without its trailing slashes, by a loop: `/\/+$/` retries at every slash of a long run (quadratic on a URL of slashes). */
function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return path.slice(0, end) || "/";
}

export function createWebhookMiddleware(webhooks: Webhooks, options: WebhookMiddlewareOptions) {
  const limit = options.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const timeoutMs = options.timeoutMs ?? 9_000;
  const path = trimSlashes(options.path);
  return async (req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> => {
    const pathname = trimSlashes((req.url ?? "").split("?")[0]!);
    if (pathname !== path) return next();
    if (req.method !== "POST") return answer(req, res, 404, jsonError(`Unknown route: ${req.method ?? ""} ${path}`));
    const id = header(req, "x-github-delivery");
    const name = header(req, "x-github-event");
    const signature = header(req, "x-hub-signature-256");
    const warn = (reason: string) => options.log.warn({ delivery: id, event: name, reason }, "webhook delivery refused");
    if (!JSON_TYPE.test(header(req, "content-type") ?? "")) return answer(req, res, 415, jsonError('Unsupported "Content-Type" header value. Must be "application/json"'), undefined, true);
    const missing = [["x-github-event", name], ["x-hub-signature-256", signature], ["x-github-delivery", id]].filter(([, v]) => v === undefined).map(([k]) => k);
    if (missing.length > 0) return answer(req, res, 400, jsonError(`Required headers missing: ${missing.join(", ")}`), undefined, true);
    const declared = Number(header(req, "content-length") ?? Number.NaN);
    if (declared > limit) {
      warn("payload too large");
      return answer(req, res, 413, jsonError(`Payload larger than ${limit} bytes`), undefined, true);
    }

    let raw: Buffer;
    try {
      raw = await readBody(req, limit);
    } catch (error) {
      const status = error instanceof BodyError ? error.status : 400;
      warn(error instanceof Error ? error.message : "body not read");
      return answer(req, res, status, jsonError(status === 413 ? `Payload larger than ${limit} bytes` : "Request body not received"), undefined, true);
    }
    const payload = raw.toString("utf8");
    const verified = await webhooks.verify(payload, signature!).catch(() => false);
    if (!verified) {
      warn("signature does not match");
      return answer(req, res, 400, jsonError("signature does not match event payload and secret"));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      warn("invalid JSON");
      return answer(req, res, 400, jsonError("Invalid JSON"));
    }

    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        answer(req, res, 202, "still processing\n", "text/plain");
        resolve();
      }, timeoutMs);
    });
    // The handlers' errors are logged by the Webhooks' onError; here they only choose the answer.
    const handled = webhooks
      .receive({ id: id!, name, payload: parsed } as EmitterWebhookEvent)
      .then(
        () => answer(req, res, 200, "ok\n", "text/plain"),
        (error: unknown) => {
          const { status, message } = statusOf(error);
          answer(req, res, status, jsonError(message));
        },
      )
      .finally(() => clearTimeout(timer));
    await Promise.race([slow, handled]);
  };
}
