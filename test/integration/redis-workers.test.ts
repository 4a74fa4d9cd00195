/**
 * BullMQ on the local Redis with the app as real processes: two workers share the
 * jobs (each runs exactly once), a worker killed or stopped mid-job loses it to the
 * other, and one installation's backlog does not hold up another's reviews.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { OWNER, REPO, SECRET, waitFor } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../support/django-fixtures.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { describeWithRedis, REDIS_URL } from "../support/services.js";
import { pullRequestPayload, sendWebhook } from "../support/signed-webhook.js";

const prefix = `backend-agent-test-${randomUUID()}`;
let rig: ProcessRig;
const apps: AppProcess[] = [];

// A lock lost to a stalled event loop hands the job to another worker, which runs it twice:
// 10 s keeps a loaded machine's lock; the takeover tests use TAKEOVER_LOCK (found 4-6 s after a kill).
const TAKEOVER_LOCK = { QUEUE_LOCK_MS: "4000" };
// Reviews in-process: these tests are about BullMQ across processes (reviews in threads on BullMQ are
// review-threads.test.ts's), except the SIGTERM takeover with threads. That one once failed under load
// because it waited for *a* model call: a job left by an earlier test's killed process, queued again by
// the sweep, made it; the takeover tests now wait for their own PR's call.
const start = async (env: Record<string, string> = {}) => {
  const app = await spawnApp(processEnv(rig.github, rig.anthropic, { REDIS_URL, QUEUE_PREFIX: prefix, QUEUE_LOCK_MS: "10000", MODEL_TIMEOUT_MS: "60000", REVIEW_WORKERS: "0", ...env }));
  apps.push(app);
  return app;
};

/**
 * The model call of the PR whose head adds `tag`: not any call. A job an earlier test's killed process left
 * running is queued again by the next process's sweep, and its call must not stand for this test's review.
 */
const modelCallOf = (tag: string, ms?: number) => waitFor(() => rig.anthropic.requests.find((r) => JSON.stringify(r.body).includes(tag)), `the model call of ${tag}`, ms);

// Each test starts app processes (tsx compiles on start): a loaded machine needs more than the default 150 s.
const PROCESS_TEST_MS = 180_000;
// Threads load their entry through tsx on start: on a loaded machine, generous limits (waits end on signals, not on time).
const THREAD_TEST_MS = 400_000;
const WAIT_MS = 170_000;

// Skipped, not hung, without Redis (the global setup said so in one line).
describeWithRedis("BullMQ workers as processes", () => {
  beforeAll(async () => {
    rig = await startRig();
  });
  // Each test has its own workers: one left over would take the next test's jobs.
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop("SIGKILL")));
  });
  afterAll(async () => {
    await rig.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("runs each of 20 jobs exactly once across two worker processes", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const shas = Array.from({ length: 20 }, (_, i) => rig.openPullRequest(400 + i, { base: { "frontend/a.ts": "a\n" }, head: { "frontend/a.ts": `b${i}\n` } }));
    // Both processes take webhooks; each delivery goes to one of them, as behind a load balancer.
    const statuses = await Promise.all(shas.map((sha, i) => rig.deliver((i % 2 ? a : b).url, 400 + i, sha)));
    expect(statuses.every((d) => d.status === 200)).toBe(true);
    for (const sha of shas) expect(await rig.completedRuns(sha, 1)).toMatchObject([{ conclusion: "success" }]);
    // A job run twice would have started by the time a review queued after them all is done.
    await rig.barrier(a.url);
    expect(rig.github.checkRuns(OWNER, REPO).filter((r) => shas.includes(r.head_sha))).toHaveLength(20);
    const started = (p: AppProcess) => p.logs.filter((l) => l.msg === "review started" && typeof l.pr === "number" && l.pr < 9_000).length;
    expect(started(a) + started(b)).toBe(20);
    // Both did work (concurrency 2 each, 20 jobs arriving at once).
    expect(Math.min(started(a), started(b))).toBeGreaterThan(0);
    const ready = await fetch(`${a.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: "ready", queue: "redis" });
    await Promise.all(apps.splice(0).map((p) => p.stop("SIGTERM")));
  }, PROCESS_TEST_MS);

  it("runs the scale-out layout: webhooks on a web process, the reviews on a worker process", async () => {
    const [web, worker] = await Promise.all([start({ PROCESS_ROLE: "web" }), start({ PROCESS_ROLE: "worker" })]);
    const shas = Array.from({ length: 3 }, (_, i) => rig.openPullRequest(430 + i, { base: { "frontend/a.ts": "a\n" }, head: { "frontend/a.ts": `c${i}\n` } }));
    const statuses = await Promise.all(shas.map((sha, i) => rig.deliver(web.url, 430 + i, sha)));
    expect(statuses.map((d) => d.status)).toEqual([200, 200, 200]);
    for (const sha of shas) expect(await rig.completedRuns(sha, 1)).toMatchObject([{ conclusion: "success" }]);
    const started = (p: AppProcess) => p.logs.filter((l) => l.msg === "review started").length;
    expect([started(web), started(worker)]).toEqual([0, 3]);
    // Handed over, not found by the sweep for jobs a stopped process left.
    expect(worker.logs.some((l) => /queued again/.test(l.msg ?? ""))).toBe(false);
  }, PROCESS_TEST_MS);

  it("completes a job on the other worker when its worker is killed mid-review", async () => {
    const sha = rig.openPullRequest(450, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER + "# 450\n" } });
    rig.anthropic.reset();
    rig.anthropic.fallback = { kind: "hang" };
    const doomed = await start(TAKEOVER_LOCK);
    await rig.deliver(doomed.url, 450, sha);
    await modelCallOf("# 450");
    const survivor = await start({ ...TAKEOVER_LOCK, WATCHDOG_INTERVAL_MS: "500" });
    await doomed.stop("SIGKILL");
    rig.anthropic.reset();
    const runs = await rig.completedRuns(sha, 2);
    expect(runs.map((r) => r.conclusion).sort()).toEqual(["success", "timed_out"]);
    expect(survivor.logs.some((l) => l.msg === "review started")).toBe(true);
  }, PROCESS_TEST_MS);

  it("loses nothing on SIGTERM: the worker exits after its grace period and another completes the review", async () => {
    const sha = rig.openPullRequest(455, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER + "# 455\n" } });
    rig.anthropic.reset();
    rig.anthropic.fallback = { kind: "hang" };
    const stopping = await start({ ...TAKEOVER_LOCK, SHUTDOWN_GRACE_MS: "300" });
    await rig.deliver(stopping.url, 455, sha);
    await modelCallOf("# 455");
    expect(await stopping.stop("SIGTERM")).toBe(0);
    expect(stopping.logs.some((l) => l.msg === "stopped")).toBe(true);
    rig.anthropic.reset();
    const survivor = await start({ ...TAKEOVER_LOCK, WATCHDOG_INTERVAL_MS: "500" });
    const runs = await rig.completedRuns(sha, 2);
    expect(runs.map((r) => r.conclusion).sort()).toEqual(["success", "timed_out"]);
    expect(survivor.logs.some((l) => l.msg === "review started" && l["pr"] === 455)).toBe(true);
    // The log sets the chunking estimate beside the API's count (the fake counts 4 characters a token). It reaches this
    // test through a pipe, possibly after GitHub heard of the check run: waited for.
    const stage = await waitFor(() => survivor.logs.find((l) => l.msg === "model stage done"), "the survivor's model stage line");
    expect(stage?.["estimatedInputTokens"]).toBeGreaterThan(1_000);
    expect(stage?.["estimateRatio"]).toBeGreaterThan(0.9);
    expect(stage?.["estimateRatio"]).toBeLessThan(1.3);
  }, PROCESS_TEST_MS);

  it("loses nothing on SIGTERM with reviews in threads: the stopping worker's thread is stopped, another worker's thread completes the review", async () => {
    // Its own queue: no job left by an earlier test's killed process runs here (it would take the one thread).
    const threads = { ...TAKEOVER_LOCK, REVIEW_WORKERS: "1", QUEUE_PREFIX: `${prefix}-threads` };
    const sha = rig.openPullRequest(456, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER + "# 456\n" } });
    rig.anthropic.reset();
    rig.anthropic.fallback = { kind: "hang" };
    const stopping = await start({ ...threads, SHUTDOWN_GRACE_MS: "300" });
    await rig.deliver(stopping.url, 456, sha);
    // This PR's review is in its thread, waiting on the model, its check run recorded for the watchdog.
    await modelCallOf("# 456", WAIT_MS);
    expect(await stopping.stop("SIGTERM")).toBe(0);
    expect(stopping.logs.some((l) => l.msg === "stopped")).toBe(true);
    rig.anthropic.reset();
    const survivor = await start({ ...threads, WATCHDOG_INTERVAL_MS: "500" });
    const runs = await rig.completedRuns(sha, 2, WAIT_MS).catch((error: unknown) => {
      console.log(JSON.stringify({ runs: rig.runsOn(sha).map((r) => [r.status, r.conclusion, r.output?.title]), stopping: stopping.logs.slice(-8), survivor: survivor.logs.slice(-12) }).slice(0, 8000));
      throw error;
    });
    expect(runs.map((r) => r.conclusion).sort()).toEqual(["success", "timed_out"]);
    expect(runs.find((r) => r.conclusion === "timed_out")?.output.title).toBe("Review interrupted");
    // The thread logs it as the check completes: waited for.
    expect(await waitFor(() => survivor.logs.find((l) => l.msg === "review finished" && l["pr"] === 456), "the survivor's review finished line")).toMatchObject({ thread: "review", conclusion: "success" });
  }, THREAD_TEST_MS);

  it("does not review again, on another worker, a job whose review completed its check run just before its worker was killed", async () => {
    // Its own queue: no job left by an earlier test's killed process runs here.
    const own = { ...TAKEOVER_LOCK, QUEUE_PREFIX: `${prefix}-earlier` };
    const sha = rig.openPullRequest(457, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER + "# 457\n" } });
    rig.anthropic.reset();
    rig.anthropic.fallback = { kind: "hang" };
    const killed = await start(own);
    await rig.deliver(killed.url, 457, sha);
    await modelCallOf("# 457", WAIT_MS);
    await killed.stop("SIGKILL");
    // As if the review had completed its run on GitHub and then lost its worker before the job was marked done.
    const [run] = rig.runsOn(sha);
    rig.github.completeCheckRun(OWNER, REPO, run!.id, { conclusion: "success", title: "No findings" });
    rig.anthropic.reset();
    // The job's lock lapses and this worker takes it (its second attempt).
    const survivor = await start(own);
    const line = await waitFor(() => survivor.logs.find((l) => typeof l.msg === "string" && l.msg.startsWith("review already completed by an earlier attempt")), "the job's second attempt", WAIT_MS);
    expect(line).toMatchObject({ pr: 457, checkRunId: run!.id, conclusion: "success", title: "No findings" });
    expect(rig.runsOn(sha)).toMatchObject([{ id: run!.id, status: "completed", conclusion: "success" }]);
    expect(rig.anthropic.requests).toHaveLength(0);
  }, PROCESS_TEST_MS);

  it("keeps one busy installation from starving another (INSTALLATION_CONCURRENCY)", async () => {
    rig.anthropic.reset();
    // The busy organisation's reviews hang at the model; the other one's answer at once.
    rig.anthropic.fallback = (req) => (JSON.stringify(req.body).includes("backend/busy") ? { kind: "hang" } : { kind: "json", value: { summary: "", findings: [] } });
    const busyShas = [460, 461, 462].map((n) => rig.openPullRequest(n, { base: { [`backend/busy${n}/views.py`]: VIEWS_BEFORE }, head: { [`backend/busy${n}/views.py`]: VIEWS_AFTER } }));
    const quietSha = rig.openPullRequest(470, { base: { "backend/quiet/views.py": VIEWS_BEFORE }, head: { "backend/quiet/views.py": VIEWS_AFTER } });
    const worker = await start({ REVIEW_CONCURRENCY: "3", INSTALLATION_CONCURRENCY: "1" });
    const deliver = (number: number, headSha: string, installationId: number) =>
      sendWebhook(`${worker.url}/api/github/webhooks`, { event: "pull_request", payload: pullRequestPayload("opened", { owner: OWNER, repo: REPO, number, headSha, installationId }), secret: SECRET });
    for (const [i, sha] of busyShas.entries()) expect((await deliver(460 + i, sha, 1)).status).toBe(200);
    const busyCalls = () => rig.anthropic.requests.filter((r) => JSON.stringify(r.body).includes("backend/busy"));
    await waitFor(() => (busyCalls().length > 0 ? true : undefined), "the busy installation's first model call");
    expect((await deliver(470, quietSha, 2)).status).toBe(200);
    expect(await rig.completedRuns(quietSha, 1)).toMatchObject([{ conclusion: "success" }]);
    // All three busy reviews were queued before; only one of them ever ran (the others wait for the installation's slot).
    expect(busyCalls()).toHaveLength(1);
    expect(busyShas.map((sha) => rig.runsOn(sha).length).reduce((a, b) => a + b)).toBe(1);
  }, PROCESS_TEST_MS);

  it("fails the delivery with 503 while Redis is unreachable, so GitHub shows it failed and it can be redelivered", async () => {
    // Nothing listens on port 1: ioredis keeps reconnecting and holds the commands.
    const web = await start({ REDIS_URL: "redis://127.0.0.1:1", PROCESS_ROLE: "web" });
    const ready = await fetch(`${web.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "queue unreachable" });
    const delivery = await rig.deliver(web.url, 480, "c".repeat(40));
    expect(delivery.status).toBe(503);
    expect(delivery.body).toContain("Redis did not take the job within 5 s");
    // Answered before GitHub's 10 s delivery timeout.
    expect(delivery.ms).toBeLessThan(9_000);
    // The scrape still answers, with the rest of the metrics and the queue marked down.
    const metrics = await fetch(`${web.url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^backend_agent_queue_up 0$/m);
    expect(text).toMatch(/^backend_agent_webhooks_received_total\{event="pull_request"\} 1$/m);
  }, PROCESS_TEST_MS);
});
