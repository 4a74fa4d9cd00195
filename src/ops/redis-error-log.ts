import type { EventEmitter } from "node:events";

/** The logger methods used here (pino's and Probot's loggers have them). */
export interface ErrorLogTarget {
  error(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
}

/** Error codes and messages of a Redis that cannot be reached or dropped the connection. */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED"]);
const CONNECTION_MESSAGES = /connection is closed|stream isn't writeable|reached the max retries per request|connect etimedout|getaddrinfo/i;

/** Whether `error` says Redis is unreachable (rather than a command or script that failed). */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === "string" && CONNECTION_CODES.has(code)) || error.name === "MaxRetriesPerRequestError" || CONNECTION_MESSAGES.test(error.message);
}

/** `host:port` of a Redis URL: what a log may say about it (never the password). */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "6379"}`;
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

/** Settings of {@link RedisErrorLog}. */
export interface RedisErrorLogOptions {
  /** The Redis the connections go to, from REDIS_URL. */
  url: string;
  /** At most one "still unreachable" line this often while Redis is away (default 30 s). */
  repeatMs?: number;
  now?: () => number;
}

/**
 * One log for every Redis connection of the process (queue, worker, subscriber,
 * spend ledger, GitHub throttling). ioredis emits an error at each reconnect attempt
 * of each connection, and BullMQ repeats them: an unreachable Redis would otherwise
 * log several lines a second. Here an outage logs one `error` line when it starts,
 * naming REDIS_URL and the address, then at most one `warn` line per `repeatMs` with
 * the errors counted meanwhile, and one `info` line when every connection that failed
 * is ready again. Lines carry the error code and message, never a stack: a refused
 * connection has no interesting one.
 */
export class RedisErrorLog {
  readonly #log: ErrorLogTarget;
  readonly #address: string;
  readonly #repeatMs: number;
  readonly #now: () => number;
  /** Connections that failed and are not ready again. */
  readonly #down = new Set<string>();
  /** When the current outage began (undefined: none). */
  #since: number | undefined;
  #lastLine = 0;
  #errors = 0;
  #unlogged = 0;

  constructor(log: ErrorLogTarget, options: RedisErrorLogOptions) {
    this.#log = log;
    this.#address = redisAddress(options.url);
    this.#repeatMs = options.repeatMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Logs the errors of `client` (an ioredis connection, or Bottleneck's connection)
   * through this log, and notes when it is ready again. The listener also keeps
   * ioredis from printing "Unhandled error event" on its own.
   */
  watch(client: EventEmitter, name: string): void {
    client.on("error", (error: unknown) => this.report(error, name));
    client.on("ready", () => this.#ready(name));
  }

  /**
   * Counts a connection error into the current outage (logging as described above) and
   * returns true; returns false for any other error, which the caller logs itself.
   */
  report(error: unknown, connection?: string): boolean {
    if (!isRedisConnectionError(error)) return false;
    const now = this.#now();
    if (connection) this.#down.add(connection);
    this.#errors++;
    const reason = { code: (error as { code?: unknown }).code, error: (error as Error).message };
    if (this.#since === undefined) {
      this.#since = now;
      this.#lastLine = now;
      this.#errors = 1;
      this.#unlogged = 0;
      this.#log.error(
        { redis: this.#address, ...reason, connection },
        `Redis at ${this.#address} (REDIS_URL) is unreachable; retrying with backoff. Until it is back, webhooks are answered 503 and no review starts`,
      );
      return true;
    }
    this.#unlogged++;
    if (now - this.#lastLine >= this.#repeatMs) {
      this.#log.warn(
        { redis: this.#address, ...reason, errors: this.#unlogged, downSeconds: Math.round((now - this.#since) / 1000), connections: [...this.#down] },
        `Redis at ${this.#address} (REDIS_URL) still unreachable: ${this.#unlogged} connection errors in the last ${Math.round((now - this.#lastLine) / 1000)} s`,
      );
      this.#lastLine = now;
      this.#unlogged = 0;
    }
    return true;
  }

  #ready(name: string): void {
    this.#down.delete(name);
    if (this.#since === undefined || this.#down.size > 0) return;
    const seconds = Math.round((this.#now() - this.#since) / 1000);
    this.#log.info({ redis: this.#address, downSeconds: seconds, errors: this.#errors }, `Redis at ${this.#address} is reachable again after ${seconds} s`);
    this.#since = undefined;
  }
}
