import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { Env } from "../config/env.js";
import type { Job } from "./job.js";
import type { PoolTaskMessage, PoolThreadData } from "./pool-thread.js";
import { serveRpc, type RpcMethods } from "./thread-rpc.js";
import { threadEntry } from "./thread-entry.js";

/** How much less CPU priority a worker thread has than the webhook thread. */
const WORKER_THREAD_NICE = 10;

/**
 * A worker thread's young generation (V8's default grows to 48 MB a thread): a review's
 * garbage is short-lived, so small scavenges cost little CPU, while the default held a
 * 400-file review's process at ~360 MB peak RSS against ~320 MB with this
 * (`npm run bench -- review-threads`).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** How a task in a thread ended: its value, or the error that ended its thread (`timedOut`: stopped at its budget here). */
export type TaskResult<R> = { ok: true; value: R } | { ok: false; error: unknown; timedOut: boolean };

/**
 * The process's worker threads: reviews and slash commands alike (`REVIEW_WORKERS`
 * threads sharing REVIEW_CONCURRENCY tasks), so that nothing that parses a diff or
 * reads a model's answer shares the webhook thread's event loop.
 */
export interface ThreadPool {
  readonly threads: number;
  /** A task's time budget, counted from its start in its thread. */
  readonly budgetMs: number;
  /** True once {@link destroy} was called: a task ending then was cut by the shutdown, not by a crash. */
  readonly closing: boolean;
  /**
   * Runs `job` in a thread, serving `methods` on the task's port (the main thread's
   * services: functions taking and returning structured-cloneable data). A thread that dies, or a task past its budget (which stops the thread),
   * ends the task with `ok: false`; Piscina replaces the thread.
   */
  run<R>(job: Job, methods: object): Promise<TaskResult<R>>;
  destroy(): Promise<void>;
}

type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>["loadBalancer"]>;

/**
 * Piscina's own balancer never gives a second task to a thread whose task can be aborted,
 * and ours all can (their time budget): REVIEW_CONCURRENCY was capped at REVIEW_WORKERS.
 * This one gives a task to an idle thread first, else to the least busy one running fewer
 * than `perThread` (Piscina counts a thread's lone abortable task as full; here it is one).
 * A task stopped at its budget stops its thread, and the tasks sharing it end as crashed.
 */
function sharingBalancer(perThread: number): LoadBalancer {
  return (_task, workers) => {
    let best: (typeof workers)[number] | null = null;
    let least = perThread;
    for (const worker of workers) {
      if (worker.terminating || worker.destroyed) continue;
      const usage = worker.isRunningAbortableTask ? 1 : worker.currentUsage;
      if (usage < least) [best, least] = [worker, usage];
      if (least === 0) break;
    }
    return best;
  };
}

/** The settings a thread gets: the GitHub App's private key stays in the main thread, which alone authenticates to GitHub. */
function threadEnv(env: Env): Env {
  const { PRIVATE_KEY: _key, PRIVATE_KEY_PATH: _path, ...rest } = env;
  return rest as Env;
}

/**
 * The process environment a thread sees, given explicitly (this module's `process.env`, as
 * the credential chains of the providers' SDKs read it) and without the private key.
 */
function threadProcessEnv(): NodeJS.ProcessEnv {
  const { PRIVATE_KEY: _key, PRIVATE_KEY_PATH: _path, ...rest } = process.env;
  return rest;
}

/** The pool of worker threads; undefined when REVIEW_WORKERS=0 (jobs run in the webhook thread). */
export function createThreadPool(env: Env): ThreadPool | undefined {
  if (env.REVIEW_WORKERS === 0) return undefined;
  const threads = Math.min(env.REVIEW_WORKERS, env.REVIEW_CONCURRENCY);
  const entry = threadEntry(new URL("./pool-thread.js", import.meta.url));
  const pool = new Piscina<PoolTaskMessage, unknown>({
    filename: entry.filename,
    // All threads start with the process: a thread started on demand made its task wait for its start-up (seconds
    // under load), and Piscina puts a task on a thread that is not ready yet. Each costs ~38 MB of RSS.
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Infinity,
    // Jobs wait on the network most of the time: a thread runs several, and must not block between them.
    concurrentTasksPerWorker: Math.ceil(env.REVIEW_CONCURRENCY / threads),
    loadBalancer: sharingBalancer(Math.ceil(env.REVIEW_CONCURRENCY / threads)),
    atomics: "disabled",
    // Below the webhook thread in the CPU scheduler's eyes (Linux threads have their own nice value): acks and health answers first.
    niceIncrement: WORKER_THREAD_NICE,
    resourceLimits: { maxOldGenerationSizeMb: env.REVIEW_WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    workerData: { ...entry.workerData, env: threadEnv(env) } satisfies PoolThreadData,
    env: threadProcessEnv(),
  });
  // A thread that fails to start (a broken build) is reported with its task; this keeps the pool from throwing unhandled.
  pool.on("error", () => undefined);
  const budgetMs = env.REVIEW_WORKER_TIMEOUT_SECONDS * 1000;
  let closing = false;
  let destroyed: Promise<void> | undefined;
  return {
    threads,
    budgetMs,
    get closing() {
      return closing;
    },
    async run<R>(job: Job, methods: object): Promise<TaskResult<R>> {
      let timedOut = false;
      let budget: NodeJS.Timeout | undefined;
      const stop = new AbortController();
      const { port1, port2 } = new MessageChannel();
      serveRpc(port1, {
        ...(methods as RpcMethods),
        // The budget runs from the task's start in its thread: a thread still starting (or a full pool) does not spend it.
        taskStarted: () => void (budget ??= setTimeout(() => ((timedOut = true), stop.abort()), budgetMs).unref()),
      });
      try {
        return { ok: true, value: (await pool.run({ job, port: port2 } as PoolTaskMessage, { transferList: [port2], signal: stop.signal })) as R };
      } catch (error) {
        return { ok: false, error, timedOut };
      } finally {
        clearTimeout(budget);
        port1.close();
      }
    },
    // After the queue's close: what still runs was past the grace period and runs again at the next start (or on another worker).
    destroy: () => {
      closing = true;
      return (destroyed ??= pool.destroy());
    },
  };
}
