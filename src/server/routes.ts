import type { IncomingMessage, ServerResponse } from "node:http";
import type { Env } from "../config/env.js";
import type { ModelReadiness } from "../engine/model-readiness.js";
import { hasBearerToken } from "../http/bearer-token.js";
import { eventLabel, statusLabel } from "../http/metric-labels.js";
import type { QueueStats } from "../jobs/queue.js";
import type { Metrics } from "../metrics.js";
import { json } from "./http-server.js";

/** A GET route. */
type Route = (res: ServerResponse) => Promise<void> | void;

/** What /readyz reports. */
export interface Readiness {
  ping(): Promise<boolean>;
  stats(): QueueStats;
  queueKind: string;
  agentName: string;
  /** The model provider and id, read without a model call. */
  model: ModelReadiness;
}

/** A request handler that says whether it answered. */
export type Routes = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * GET /healthz, and the operators' /readyz and /metrics (queue depth, counters, the
 * agent's name: behind METRICS_TOKEN when it is set). `ops: false` serves /healthz only
 * (METRICS_PORT moves the others to their own server).
 */
export function healthRoutes(env: Pick<Env, "METRICS_TOKEN" | "PROCESS_ROLE">, metrics: Metrics, ready: Readiness, ops: boolean): Routes {
  const health: Record<string, Route> = { "/healthz": (res) => json(res, 200, { status: "ok" }) };
  const operators: Record<string, Route> = {
    "/readyz": async (res) => {
      const reachable = await ready.ping();
      json(res, reachable ? 200 : 503, { status: reachable ? "ready" : "queue unreachable", role: env.PROCESS_ROLE, queue: ready.queueKind, agent: ready.agentName, jobs: ready.stats(), model: ready.model });
    },
    "/metrics": async (res) => {
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.registry.metrics());
    },
  };
  const routes = ops ? { ...health, ...operators } : health;
  return (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const route = req.method === "GET" && Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return false;
    if (env.METRICS_TOKEN && Object.hasOwn(operators, path) && !hasBearerToken(req, env.METRICS_TOKEN)) {
      res.setHeader("www-authenticate", "Bearer");
      json(res, 401, { error: "unauthorized" });
      return true;
    }
    void Promise.resolve(route(res)).catch(() => json(res, 500, { error: "internal error" }));
    return true;
  };
}

/** The webhook route: every delivery counted by event, and its answer time observed by status. */
export function webhookRoute(webhooks: ((req: IncomingMessage, res: ServerResponse, next: () => void) => Promise<unknown>) | undefined, metrics: Metrics): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!webhooks) return json(res, 404, { error: "not found (worker process)" });
    const started = performance.now();
    metrics.webhooksReceived.inc({ event: eventLabel(req.headers["x-github-event"]) });
    res.once("finish", () => metrics.webhooksAcked.observe({ status: statusLabel(res.statusCode) }, (performance.now() - started) / 1000));
    void webhooks(req, res, () => json(res, 404, { error: "not found" }));
  };
}
