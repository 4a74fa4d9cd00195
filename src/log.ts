import pino, { type Logger } from "pino";
import type { Env } from "./config/env.js";

/** Probot's own logging variables that shape a JSON line (read from the environment, as Probot does). */
interface ProbotLogVariables {
  LOG_MESSAGE_KEY?: string | undefined;
  LOG_LEVEL_IN_STRING?: string | undefined;
  SENTRY_DSN?: string | undefined;
}

/**
 * The process logger for JSON output (`LOG_FORMAT=json`, as in the Docker image),
 * or undefined to let Probot build its own (pretty output for a terminal, or Sentry
 * reporting when `SENTRY_DSN` is set).
 *
 * Why not Probot's in JSON mode: it passes every line through a Transform stream to a
 * synchronous stdout, one write(2) per line while the webhook waits; every webhook logs
 * a line before its answer. Here pino writes to stdout asynchronously: lines logged
 * while a write is in flight go out together in the next, each as soon as it can (no
 * buffer held back, so a crash loses at most the write in flight). About half
 * the CPU a line (`npm run bench -- log-lines`: ~19 → ~9 µs). The lines are the same: Probot's
 * logger name, message key and level format. Pending lines are flushed at exit.
 */
export function createJsonLogger(env: Pick<Env, "LOG_FORMAT" | "LOG_LEVEL">, probotEnv: ProbotLogVariables = process.env): Logger | undefined {
  if (env.LOG_FORMAT !== "json" || probotEnv.SENTRY_DSN) return undefined;
  const levelInString = probotEnv.LOG_LEVEL_IN_STRING === "true";
  return pino(
    {
      level: env.LOG_LEVEL,
      messageKey: probotEnv.LOG_MESSAGE_KEY || "msg",
      ...(levelInString ? { formatters: { level: (label: string) => ({ level: label }) } } : {}),
    },
    pino.destination({ dest: 1, sync: false }),
  );
}
