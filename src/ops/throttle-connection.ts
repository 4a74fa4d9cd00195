import type { EventEmitter } from "node:events";
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import type { RedisErrorLog } from "./redis-error-log.js";

/**
 * The Redis connection through which the processes of a deployment share GitHub's rate
 * budget (Octokit's throttling, clustered by Bottleneck): what Probot would open from
 * REDIS_URL, opened here so that its errors go to `errors` rather than one stack trace
 * per reconnect attempt. Bottleneck adds a subscriber connection, watched too.
 */
export function throttleConnection(url: string, errors: RedisErrorLog): Bottleneck.IORedisConnection {
  const client = new Redis(url);
  errors.watch(client, "GitHub throttling");
  const connection = new Bottleneck.IORedisConnection({ client });
  const subscriber = (connection as unknown as { subscriber?: EventEmitter }).subscriber;
  if (subscriber) errors.watch(subscriber, "GitHub throttling subscriber");
  // Bottleneck repeats its connections' errors here: the watchers above have logged them.
  connection.on("error", (error: unknown) => void (subscriber ? undefined : errors.report(error, "GitHub throttling subscriber")));
  return connection;
}
