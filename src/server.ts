import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, createProbot, type Probot } from "probot";
import { loadBundledAgent } from "./agents/load-agent.js";
import type { Env } from "./config/env.js";
import { createAnthropicClient } from "./engine/anthropic-client.js";
import { createApp } from "./index.js";
import { MemoryQueue } from "./jobs/memory-queue.js";
import type { JobQueue } from "./jobs/queue.js";
import { createWorker } from "./jobs/worker.js";

/** A running app: the webhook server and the workers of this process. */
export interface RunningApp {
  url: string;
  probot: Probot;
  queue: JobQueue;
  /** Stops taking webhooks, then waits for running reviews. */
  stop(): Promise<void>;
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
 * middleware, a queue and its workers, and /healthz and /readyz.
 */
export async function startApp(env: Env, options: AppOptions = {}): Promise<RunningApp> {
  const probot = createProbot({
    // Probot reads its own settings (APP_ID, PRIVATE_KEY, GHE_HOST, ...) from this env.
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))) },
    overrides: { logLevel: env.LOG_LEVEL === "silent" ? "fatal" : env.LOG_LEVEL },
  });
  const agent = await loadBundledAgent(env.AGENT_FILE);
  const queue = new MemoryQueue(env.REVIEW_CONCURRENCY, (job, error) => probot.log.error({ err: error, job: job.id }, "review job crashed"));
  queue.start(createWorker({ probot, anthropic: createAnthropicClient(env), agent, env, queue, commandLimit: options.commandLimit }));

  const app = createApp({ queue, agentName: agent.name, allowedBots: options.allowedBots });
  const webhooks = await createNodeMiddleware(app, { probot, webhooksPath: env.WEBHOOK_PATH });
  const routes: Record<string, (res: ServerResponse) => void> = {
    "/healthz": (res) => json(res, 200, { status: "ok" }),
    "/readyz": (res) => json(res, 200, { status: "ready", agent: agent.name, queue: queue.stats() }),
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const route = req.method === "GET" ? routes[(req.url ?? "").split("?")[0] ?? ""] : undefined;
    if (route) return route(res);
    void webhooks(req, res, () => json(res, 404, { error: "not found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
  probot.log.info({ port, host: env.HOST, webhookPath: env.WEBHOOK_PATH, agent: agent.name, model: env.ANTHROPIC_API_KEY ? "configured" : "not configured" }, "backend-agent listening");
  return {
    url: `http://${host}:${port}`,
    probot,
    queue,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
    },
  };
}
