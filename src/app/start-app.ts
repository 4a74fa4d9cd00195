import { createProbot, type Probot } from "probot";
import { snapshotCacheFor } from "../snapshot/snapshot-cache.js";
import { loadBundledAgent } from "../agents/load-agent.js";
import type { Env } from "../config/env.js";
import { checkPrivateKey } from "../config/private-key.js";
import { modelReadiness } from "../engine/model-readiness.js";
import { appIdentityGetter, fetchAppIdentity } from "../github/app-identity.js";
import type { Octokit } from "../github/octokit.js";
import { createWebhookRouter } from "../events/webhook-router.js";
import { createWebhookMiddleware } from "../http/webhook-middleware.js";
import { createJsonLogger } from "../log.js";
import { openQueue } from "../jobs/open-queue.js";
import type { JobQueue } from "../jobs/queue.js";
import { startWatchdog, type Watchdog } from "../jobs/watchdog.js";
import { createMetrics, type Metrics } from "../metrics.js";
import { createMarkerSigner } from "../review/marker-signer.js";
import { throttledOctokit } from "../ops/probot-octokit.js";
import { RedisErrorLog } from "../ops/redis-error-log.js";
import { throttleConnection } from "../ops/throttle-connection.js";
import { json, listen, listener, urlOf } from "../server/http-server.js";
import { healthRoutes, webhookRoute } from "../server/routes.js";
import { countingQueue, queueObservers } from "./queue-observers.js";
import { announcingQueue } from "../spend/newer-head.js";
import { createCommandGuards } from "../commands/command-guards.js";
import { createCommandRunner } from "../workers/command-runner.js";
import { createJobHandler } from "../workers/job-handler.js";
import { MainServices } from "../workers/main-services.js";
import { createReviewRunner, type ReviewRunner } from "../workers/review-runner.js";
import { createThreadPool } from "../workers/thread-pool.js";

/** A running app: the webhook server and the workers of this process. */
export interface RunningApp {
  url: string;
  /** Where /metrics and /readyz are served: `url` unless METRICS_PORT is set. */
  metricsUrl: string;
  probot: Probot;
  queue: JobQueue;
  metrics: Metrics;
  /** One watchdog pass now (undefined in a web-only process). */
  watchdog: Watchdog | undefined;
  /**
   * Stops taking webhooks and jobs, then waits for running reviews — at most
   * `graceMs` when given; the durable queue runs what was left at the next start.
   */
  stop(graceMs?: number): Promise<void>;
}

/** The webhook secret, which env.ts requires with APP_ID; a server without one would verify nothing. */
function requireSecret(env: Env): string {
  if (!env.WEBHOOK_SECRET) throw new Error("WEBHOOK_SECRET is required to serve webhooks");
  return env.WEBHOOK_SECRET;
}

/** Settings of the app that have no environment variable yet (tests set them). */
export interface AppOptions {
  /** Slash commands allowed per PR in a sliding window (default 5 per 10 minutes). */
  commandLimit?: { max: number; windowMs: number } | undefined;
  /** Bot logins whose slash commands are not ignored (default none). */
  allowedBots?: readonly string[] | undefined;
}

/**
 * Builds and starts the app from a validated environment: Probot with the webhook
 * middleware (unless PROCESS_ROLE=worker), the queue (embedded or BullMQ) with its
 * workers and the watchdog (unless PROCESS_ROLE=web), and /healthz, /readyz, /metrics.
 */
export async function startApp(env: Env, options: AppOptions = {}): Promise<RunningApp> {
  checkPrivateKey(env);
  const log = createJsonLogger(env);
  // Every Redis connection logs through one rate-limited log (Probot's logger is not built yet: it is bound below).
  let redisErrors: RedisErrorLog | undefined;
  const throttle = env.REDIS_URL ? throttleConnection(env.REDIS_URL, (redisErrors = new RedisErrorLog({ error: (f, m) => probot.log.error(f, m), warn: (f, m) => probot.log.warn(f, m), info: (f, m) => probot.log.info(f, m) }, { url: env.REDIS_URL }))) : undefined;
  const Octokit = throttledOctokit({ writeIntervalMs: env.GITHUB_WRITE_INTERVAL_MS, connection: throttle });
  const probot = createProbot({
    // Probot reads its own settings (APP_ID, PRIVATE_KEY, GHE_HOST, ...) from this env; not REDIS_URL: the shared throttling connection is ours (above).
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))), REDIS_URL: "" },
    overrides: {
      log,
      logLevel: env.LOG_LEVEL === "silent" ? "fatal" : env.LOG_LEVEL,
      ...(Octokit ? { Octokit } : {}),
    },
  });
  const agent = await loadBundledAgent(env.AGENT_FILE);
  // Read at scrape time, once `backend` exists.
  const metrics = createMetrics(() => (backend.queue.counts ? backend.queue.counts() : backend.queue.stats()));
  const backend = openQueue(env, queueObservers(metrics, () => probot.log, redisErrors), redisErrors);
  // Every review taken announces its head, so that a running review of an older one stops.
  const queue = announcingQueue(backend.queue, backend.heads, probot.log);
  const works = env.PROCESS_ROLE !== "web";
  const serves = env.PROCESS_ROLE !== "worker";
  // On /readyz and in the start-up line, from the settings (no model call, no SDK here); a model the provider lacks stops the start here.
  const model = modelReadiness(env, agent.model);
  let watchdog: Watchdog | undefined;
  let reviews: ReviewRunner | undefined;
  if (works) {
    // Read on the first job, not at start-up: a GitHub outage then fails reviews with a clear summary instead of the start.
    const appIdentity = appIdentityGetter(async () => fetchAppIdentity((await probot.auth()) as Octokit), probot.log);
    const markers = createMarkerSigner(requireSecret(env));
    // One snapshot cache per process: the main thread downloads head commits for the review threads and for `ask`.
    const snapshots = snapshotCacheFor(env);
    const services = new MainServices({ probot, appIdentity, spend: backend.spend, heads: backend.heads, checkRuns: backend.checkRuns, metrics, snapshots });
    // Reviews and slash commands share the worker threads; REVIEW_WORKERS=0: both run here, with this thread's logger.
    const pool = createThreadPool(env);
    const inProcess = () => ({ env, agent, markers, log: probot.log, snapshots });
    reviews = createReviewRunner(env, services, inProcess, pool);
    const guards = createCommandGuards((id) => services.installation(id), options.commandLimit);
    const commands = createCommandRunner({ services, guards, queue, agentName: agent.name, pool, inProcess });
    queue.start(createJobHandler({ probot, reviews, commands, env, snapshots, metrics }));
    watchdog = startWatchdog({
      registry: backend.checkRuns, auth: async (id) => (await probot.auth(id)) as Octokit, log: probot.log,
      timeoutMs: env.CHECK_RUN_TIMEOUT_SECONDS * 1000, intervalMs: env.WATCHDOG_INTERVAL_MS, onTimedOut: () => metrics.checkRunsTimedOut.inc(),
    });
  }

  const webhooks = serves
    ? createWebhookMiddleware(
        createWebhookRouter({ queue: countingQueue(queue, metrics), agentName: agent.name, allowedBots: options.allowedBots, secret: requireSecret(env), log: probot.log }),
        { path: env.WEBHOOK_PATH, log: probot.log },
      )
    : undefined;
  const separateOps = env.METRICS_PORT !== undefined;
  const ready = { ping: async () => (await queue.ping?.()) ?? true, stats: () => queue.stats(), queueKind: backend.kind, agentName: agent.name, model };
  const mainRoutes = healthRoutes(env, metrics, ready, !separateOps);
  const webhook = webhookRoute(webhooks, metrics);
  const server = listener((req, res) => void (mainRoutes(req, res) || webhook(req, res)), env);
  const opsRoutes = separateOps ? healthRoutes(env, metrics, ready, true) : undefined;
  const opsServer = opsRoutes ? listener((req, res) => void (opsRoutes(req, res) || json(res, 404, { error: "not found" })), env) : undefined;
  const port = await listen(server, env.PORT, env.HOST, "PORT");
  const metricsHost = env.METRICS_HOST ?? env.HOST;
  const metricsPort = opsServer ? await listen(opsServer, env.METRICS_PORT ?? 0, metricsHost, "METRICS_PORT") : port;
  probot.log.info(
    { port, host: env.HOST, metricsPort, webhookPath: env.WEBHOOK_PATH, agent: agent.name, model, queue: backend.kind, role: env.PROCESS_ROLE, reviewThreads: reviews?.threads },
    "backend-agent listening",
  );
  return {
    url: urlOf(env.HOST, port),
    metricsUrl: urlOf(opsServer ? metricsHost : env.HOST, metricsPort),
    probot,
    queue,
    metrics,
    watchdog,
    async stop(graceMs) {
      for (const s of [server, opsServer]) s?.closeIdleConnections();
      await Promise.all([server, opsServer].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))));
      watchdog?.stop();
      await queue.close(graceMs);
      await reviews?.close();
      backend.dispose();
      throttle?.disconnect(false).catch(() => undefined);
    },
  };
}
