import { QueueUnavailableError } from "./queue.js";

/**
 * `pending`, or a QueueUnavailableError with `message` after `ms`: while Redis is away
 * ioredis holds commands until it is back, and a webhook or probe must not wait that long.
 */
export async function withTimeout<T>(pending: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new QueueUnavailableError(message)), ms)));
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}
