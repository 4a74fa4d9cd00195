import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { QueueStats } from "./jobs/queue.js";

/**
 * The app's Prometheus metrics, on a registry of its own (several apps may run
 * in one test process). `queueStats` is read at scrape time.
 */
export function createMetrics(queueStats: () => QueueStats | Promise<QueueStats>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics = {
    registry,
    webhooksReceived: new Counter({ name: "backend_agent_webhooks_received_total", help: "Webhook deliveries received, by event (known events by name, others as `other`, `none` without the header)", labelNames: ["event"], registers }),
    webhooksAcked: new Histogram({
      name: "backend_agent_webhook_ack_seconds", help: "Time to answer a webhook delivery, by HTTP status", labelNames: ["status"], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    }),
    jobsEnqueued: new Counter({ name: "backend_agent_jobs_enqueued_total", help: "Jobs offered to the queue, by kind and result (queued, duplicate-delivery, already-queued, closed)", labelNames: ["kind", "result"], registers }),
    jobsSuperseded: new Counter({ name: "backend_agent_jobs_superseded_total", help: "Waiting reviews dropped because a newer head of the same PR arrived", registers }),
    jobsRecovered: new Counter({ name: "backend_agent_jobs_recovered_total", help: "Jobs left running by a dead process and queued again", registers }),
    jobsFailed: new Counter({ name: "backend_agent_jobs_failed_total", help: "Jobs that failed before they could report (or were given up)", labelNames: ["kind"], registers }),
    jobsFinished: new Counter({ name: "backend_agent_jobs_finished_total", help: "Jobs this process ran to the end, by kind", labelNames: ["kind"], registers }),
    reviewDuration: new Histogram({
      name: "backend_agent_review_duration_seconds", help: "Review wall time, by conclusion", labelNames: ["conclusion"], registers,
      buckets: [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200],
    }),
    modelTokens: new Counter({ name: "backend_agent_model_tokens_total", help: "Model tokens spent by reviews, by type", labelNames: ["type"], registers }),
    modelCost: new Counter({ name: "backend_agent_model_cost_usd_total", help: "Estimated model cost of reviews in USD", registers }),
    toolUse: new Counter({ name: "backend_agent_model_tool_use_total", help: "What the model's repository tools did in reviews, by kind (toolTurns, toolCalls, filesRead, toolTokens, cut)", labelNames: ["kind"], registers }),
    modelErrors: new Counter({ name: "backend_agent_model_errors_total", help: "Model requests answered with an error or not at all, by status (0 = no answer)", labelNames: ["status"], registers }),
    githubErrors: new Counter({ name: "backend_agent_github_api_errors_total", help: "GitHub API requests that failed, by HTTP status (0 = no answer)", labelNames: ["status"], registers }),
    spendCeilingsHit: new Counter({ name: "backend_agent_spend_ceilings_hit_total", help: "Reviews and answers stopped by a daily spend ceiling, by scope (installation, author, ask)", labelNames: ["scope"], registers }),
    checkRunsTimedOut: new Counter({ name: "backend_agent_check_runs_timed_out_total", help: "Check runs the watchdog completed as timed_out", registers }),
  };
  // One read of the queue a scrape, shared by its gauges. A queue that does not answer
  // (Redis down) leaves them at their last values and sets queue_up to 0, rather than
  // failing the whole scrape when the other metrics matter most.
  let scrape: Promise<QueueStats | undefined> | undefined;
  const readQueue = () =>
    (scrape ??= Promise.resolve()
      .then(queueStats)
      .catch(() => undefined)
      .finally(() => setImmediate(() => (scrape = undefined))));
  const queueGauge = (name: string, help: string, pick: (s: QueueStats | undefined) => number | undefined) =>
    new Gauge({
      name, help, registers,
      async collect() {
        const value = pick(await readQueue());
        if (value !== undefined) this.set(value);
      },
    });
  queueGauge("backend_agent_jobs_waiting", "Jobs waiting in the queue", (s) => s?.waiting);
  queueGauge("backend_agent_jobs_running", "Jobs running (this process for the embedded queue, all workers for BullMQ)", (s) => s?.running);
  queueGauge("backend_agent_queue_up", "1 when the queue answered this scrape, 0 when it did not (job gauges then keep their last values)", (s) => (s ? 1 : 0));
  return metrics;
}

/** The app's metrics. */
export type Metrics = ReturnType<typeof createMetrics>;
