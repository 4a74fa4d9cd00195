import { startHarness, waitFor, OWNER, REPO, type Harness } from "../support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../support/django-fixtures.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ CHECK_RUN_TIMEOUT_SECONDS: "1", WATCHDOG_INTERVAL_MS: "200", MODEL_TIMEOUT_MS: "4000", MODEL_MAX_RETRIES: "0" });
});
afterAll(() => h.stop());

it("completes a check run stuck in_progress past the limit as timed_out, and counts it in /metrics", async () => {
  h.anthropic.fallback = { kind: "hang" };
  const sha = h.openPullRequest(301, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER } });
  await h.deliver("opened", 301, sha);
  const run = await waitFor(() => h.github.checkRuns(OWNER, REPO).find((r) => r.head_sha === sha && r.status === "completed"), "the watchdog");
  expect(run).toMatchObject({ conclusion: "timed_out", output: { title: "Review timed out" } });
  expect(run.output.summary).toContain("still running after");

  // The run is completed on GitHub a moment before the watchdog's request returns and counts it.
  let metrics = "";
  for (let i = 0; i < 100 && !metrics.includes("backend_agent_check_runs_timed_out_total 1"); i++) {
    if (i) await new Promise((resolve) => setTimeout(resolve, 50));
    metrics = await (await fetch(`${h.app.url}/metrics`)).text();
  }
  expect(metrics).toContain("backend_agent_check_runs_timed_out_total 1");
  expect(metrics).toMatch(/backend_agent_webhooks_received_total\{event="pull_request"\} 1/);
  expect(metrics).toMatch(/backend_agent_jobs_enqueued_total\{kind="review",result="queued"\} 1/);
  expect(metrics).toMatch(/backend_agent_jobs_running 1/);
  const ready = await fetch(`${h.app.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", queue: "embedded", jobs: { running: 1, waiting: 0 } });
  await h.idle();
  expect(await (await fetch(`${h.app.url}/metrics`)).text()).toMatch(/backend_agent_model_errors_total\{status="0"\} 1/);
});
