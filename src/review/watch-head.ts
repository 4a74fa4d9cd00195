import type { Logger } from "pino";
import type { HeadRegistry } from "../spend/newer-head.js";

/** A running review's view of its PR's head: aborted once the PR moved on. */
export interface HeadWatch {
  /** Aborted when GitHub confirms the PR's head is no longer the reviewed one. */
  signal: AbortSignal;
  /** The head the PR moved to, once known. */
  movedTo(): string | undefined;
  stop(): void;
}

/**
 * Polls the head registry every `intervalMs` (a map read, or one Redis GET); when it
 * names another head, asks GitHub once per announced head (`currentHead`) and aborts
 * only if the PR really moved. The confirmation keeps a redelivered old webhook or a
 * re-run of an old commit's check from cancelling the newest review.
 */
export function watchHead(options: {
  heads: HeadRegistry;
  lane: string;
  headSha: string;
  currentHead: () => Promise<string>;
  intervalMs: number;
  log: Logger;
}): HeadWatch {
  const controller = new AbortController();
  let moved: string | undefined;
  let checked: string | undefined;
  let busy = false;
  const poll = async () => {
    const latest = await options.heads.latest(options.lane);
    if (!latest || latest === options.headSha || latest === checked) return;
    checked = latest;
    const now = await options.currentHead();
    if (now === options.headSha) return;
    moved = now;
    options.log.info({ movedTo: now }, "pull request moved to a newer head: stopping the review's model calls");
    stop();
    controller.abort();
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    poll()
      .catch((error: unknown) => options.log.warn({ err: error }, "could not check for a newer head"))
      .finally(() => (busy = false));
  }, options.intervalMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  return { signal: controller.signal, movedTo: () => moved, stop };
}
