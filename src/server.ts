import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createProbot, type Probot } from "probot";
import { loadBundledAgent } from "./agents/load-agent.js";
import type { Env } from "./config/env.js";
import { checkPrivateKey } from "./config/private-key.js";
import { createAnthropicClient } from "./engine/anthropic-client.js";
import { appIdentityGetter, fetchAppIdentity } from "./github/app-identity.js";
import type { Octokit } from "./github/octokit.js";
import { createWebhooks } from "./index.js";
import { hasBearerToken } from "./http/bearer-token.js";
import { eventLabel, statusLabel } from "./http/metric-labels.js";
import { createWebhookMiddleware } from "./http/webhook-middleware.js";
import { createJsonLogger } from "./log.js";
import { openQueue } from "./jobs/open-queue.js";
import type { JobQueue } from "./jobs/queue.js";
import { startWatchdog, type Watchdog } from "./jobs/watchdog.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { countingFetch } from "./ops/counting-fetch.js";
import { createMarkerSigner } from "./review/marker-signer.js";
import { throttledOctokit } from "./ops/probot-octokit.js";
import { RedisErrorLog } from "./ops/redis-error-log.js";
import { throttleConnection } from "./ops/throttle-connection.js";
import { announcingQueue } from "./spend/newer-head.js";
import { SpendPolicy, spendLimitsOf } from "./spend/spend-policy.js";
import { createJobHandler } from "./workers/job-handler.js";
import { MainServices } from "./workers/main-services.js";
import { createReviewRunner, type ReviewRunner } from "./workers/review-runner.js";

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

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
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
  const backend = openQueue(env, {
    superseded: (job, by) => {
      metrics.jobsSuperseded.inc();
      const sha = job.kind === "review" ? job.headSha : undefined;
      probot.log.info({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, sha, job: job.id, by: by?.id }, "waiting review superseded by a newer head");
    },
    recovered: (count) => {
      metrics.jobsRecovered.inc(count);
      probot.log.warn({ count }, "jobs left running by a stopped process queued again");
    },
    failed: (job, error) => {
      // Without a job it is the queue's own trouble (Redis, the store): the jobs stay queued, none failed.
      // An unreachable Redis is said once per outage by redisErrors, not at every retry.
      if (!job && redisErrors?.report(error)) return;
      if (!job) return void probot.log.error({ err: error }, "queue error; queued jobs are kept and tried again");
      metrics.jobsFailed.inc({ kind: job.kind });
      probot.log.error({ err: error, job: job.id }, "job failed");
    },
  }, redisErrors);
  // Every review taken announces its head, so that a running review of an older one stops.
  const queue = announcingQueue(backend.queue, backend.heads, probot.log);
  const spend = new SpendPolicy(backend.spend, spendLimitsOf(env), (scope) => metrics.spendCeilingsHit.inc({ scope }));
  const works = env.PROCESS_ROLE !== "web";
  const serves = env.PROCESS_ROLE !== "worker";
  const anthropic = createAnthropicClient(env)?.withOptions({ fetch: countingFetch((status) => metrics.modelErrors.inc({ status: statusLabel(status) })) });
  let watchdog: Watchdog | undefined;
  let reviews: ReviewRunner | undefined;
  if (works) {
    // Read on the first job, not at start-up: a GitHub outage then fails reviews with a clear summary instead of the start.
    const appIdentity = appIdentityGetter(async () => fetchAppIdentity((await probot.auth()) as Octokit), probot.log);
    const markers = createMarkerSigner(requireSecret(env));
    const services = new MainServices({ probot, appIdentity, spend: backend.spend, heads: backend.heads, checkRuns: backend.checkRuns, metrics });
    // REVIEW_WORKERS=0: reviews run here, with the model client and logger of this thread.
    reviews = createReviewRunner(env, services, () => ({ env, agent, anthropic: createAnthropicClient(env), markers, log: probot.log }));
    queue.start(createJobHandler({ probot, reviews, services, anthropic, agent, env, queue, commandLimit: options.commandLimit, metrics, appIdentity, markers, spend }));
    watchdog = startWatchdog({
      registry: backend.checkRuns, auth: async (id) => (await probot.auth(id)) as Octokit, log: probot.log,
      timeoutMs: env.CHECK_RUN_TIMEOUT_SECONDS * 1000, intervalMs: env.WATCHDOG_INTERVAL_MS, onTimedOut: () => metrics.checkRunsTimedOut.inc(),
    });
  }

  const webhooks = serves
    ? createWebhookMiddleware(
        createWebhooks({ queue: countingQueue(queue, metrics), agentName: agent.name, allowedBots: options.allowedBots, secret: requireSecret(env), log: probot.log }),
        { path: env.WEBHOOK_PATH, log: probot.log },
      )
    : undefined;
  type Route = (res: ServerResponse) => Promise<void> | void;
  const health: Record<string, Route> = { "/healthz": (res) => json(res, 200, { status: "ok" }) };
  // Queue depth, counters and the agent's name are for operators: on their own port, behind a token, or both.
  const ops: Record<string, Route> = {
    "/readyz": async (res) => {
      const reachable = (await queue.ping?.()) ?? true;
      json(res, reachable ? 200 : 503, { status: reachable ? "ready" : "queue unreachable", role: env.PROCESS_ROLE, queue: backend.kind, agent: agent.name, jobs: queue.stats() });
    },
    "/metrics": async (res) => {
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.registry.metrics());
    },
  };
  /** Serves `routes` for GET; `/readyz` and `/metrics` ask for METRICS_TOKEN when it is set. */
  const serveRoute = (req: IncomingMessage, res: ServerResponse, routes: Record<string, Route>): boolean => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const route = req.method === "GET" && Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return false;
    if (env.METRICS_TOKEN && Object.hasOwn(ops, path) && !hasBearerToken(req, env.METRICS_TOKEN)) {
      res.setHeader("www-authenticate", "Bearer");
      json(res, 401, { error: "unauthorized" });
      return true;
    }
    void Promise.resolve(route(res)).catch(() => json(res, 500, { error: "internal error" }));
    return true;
  };
  const separateOps = env.METRICS_PORT !== undefined;
  const mainRoutes = separateOps ? health : { ...health, ...ops };
  const server = listener((req: IncomingMessage, res: ServerResponse) => {
    if (serveRoute(req, res, mainRoutes)) return;
    if (!webhooks) return json(res, 404, { error: "not found (worker process)" });
    const started = performance.now();
    metrics.webhooksReceived.inc({ event: eventLabel(req.headers["x-github-event"]) });
    res.once("finish", () => metrics.webhooksAcked.observe({ status: statusLabel(res.statusCode) }, (performance.now() - started) / 1000));
    void webhooks(req, res, () => json(res, 404, { error: "not found" }));
  }, env);
  const opsServer = separateOps ? listener((req, res) => void (serveRoute(req, res, { ...health, ...ops }) || json(res, 404, { error: "not found" })), env) : undefined;
  const port = await listen(server, env.PORT, env.HOST, "PORT");
  const metricsHost = env.METRICS_HOST ?? env.HOST;
  const metricsPort = opsServer ? await listen(opsServer, env.METRICS_PORT ?? 0, metricsHost, "METRICS_PORT") : port;
  const urlOf = (hostname: string, p: number) => `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${p}`;
  probot.log.info(
    { port, host: env.HOST, metricsPort, webhookPath: env.WEBHOOK_PATH, agent: agent.name, model: env.ANTHROPIC_API_KEY ? "configured" : "not configured", queue: backend.kind, role: env.PROCESS_ROLE },
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

/**
 * An HTTP server with bounded request times. Node 20 applies headersTimeout and
 * requestTimeout only while a request is being received (from its first byte), so they
 * do not cut idle keep-alive connections; those stay open 65 s, longer than a proxy in
 * front keeps them (60 s on AWS ALB): with Node's 5 s default the server can close a
 * socket just as a client reuses it, and that delivery fails with ECONNRESET. Expired
 * requests are found by a sweep, every second here rather than Node's 30 s. A connection
 * that never sends a request is closed after `timeout` of silence.
 */
function listener(handle: (req: IncomingMessage, res: ServerResponse) => void, env: Env): Server {
  const requestTimeout = env.REQUEST_TIMEOUT_SECONDS * 1000;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(env.HEADERS_TIMEOUT_SECONDS * 1000, requestTimeout), connectionsCheckingInterval: 1000 }, handle);
  server.keepAliveTimeout = 65_000;
  server.timeout = 70_000;
  return server;
}

/** Listens and resolves with the port; a failure names `variable`, the setting to change. */
async function listen(server: Server, port: number, host: string, variable: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is in use by another process" : error.code === "EACCES" ? "needs privileges this process lacks" : `cannot be listened on (${error.code ?? error.message})`;
      reject(new Error(`${variable}: ${port} on ${host} ${why}; set ${variable} (and HOST) to a free port`, { cause: error }));
    });
    server.listen(port, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}

/** The queue as handlers see it: every offer is counted by kind and result. */
function countingQueue(queue: JobQueue, metrics: Metrics): JobQueue {
  return {
    async enqueue(job) {
      const result = await queue.enqueue(job);
      metrics.jobsEnqueued.inc({ kind: job.kind, result: result.queued ? "queued" : result.reason });
      return result;
    },
    start: (handler) => queue.start(handler),
    close: (graceMs) => queue.close(graceMs),
    stats: () => queue.stats(),
  };
}
