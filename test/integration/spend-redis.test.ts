/**
 * Spend ceilings and abort-on-newer-head with BullMQ on the local Redis and the app
 * as real processes: the web process that takes the newer push is not the worker
 * running the older review, and ceilings are counted for all processes together.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { OWNER, REPO, SECRET, waitFor } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { describeWithRedis, REDIS_URL } from "../support/services.js";
import { pullRequestPayload, sendWebhook } from "../support/signed-webhook.js";

const prefixes: string[] = [];
let rig: ProcessRig;
const apps: AppProcess[] = [];

/** Processes sharing one fresh prefix: their own queue and ledger. */
const deployment = () => {
  const prefix = `backend-agent-test-spend-${randomUUID()}`;
  prefixes.push(prefix);
  return async (env: Record<string, string> = {}) => {
    const app = await spawnApp(processEnv(rig.github, rig.anthropic, { REDIS_URL, QUEUE_PREFIX: prefix, QUEUE_LOCK_MS: "10000", ...env }));
    apps.push(app);
    return app;
  };
};

const push = (url: string, number: number, headSha: string) =>
  sendWebhook(`${url}/api/github/webhooks`, { event: "pull_request", payload: pullRequestPayload("synchronize" as "opened", { owner: OWNER, repo: REPO, number, headSha }), secret: SECRET });

// Each test starts app processes (tsx compiles on start): a loaded machine needs more than the default 150 s.
const PROCESS_TEST_MS = 180_000;

// Skipped, not hung, without Redis (the global setup said so in one line).
describeWithRedis("spend and newer heads across processes", () => {
  beforeAll(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop("SIGKILL")));
  });
  afterAll(async () => {
    await rig.stop();
    const redis = new Redis(REDIS_URL);
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it("stops a worker's model call within seconds when the web process takes a newer head, and posts nothing for the old one", async () => {
    const start = deployment();
    const [web, worker] = await Promise.all([start({ PROCESS_ROLE: "web" }), start({ PROCESS_ROLE: "worker", MODEL_TIMEOUT_MS: "60000", HEAD_CHECK_INTERVAL_MS: "300" })]);
    const base = { "backend/billing/views.py": VIEWS_BEFORE };
    const old = rig.openPullRequest(501, { base, head: { "backend/billing/views.py": `${VIEWS_AFTER}# 501 old\n` } });
    rig.anthropic.reset();
    rig.anthropic.enqueue({ kind: "hang" }, { kind: "json", value: { summary: "", findings: [modelFinding({ line: lineOf(VIEWS_AFTER, "objects.all()"), severity: "high" })] } });
    expect((await rig.deliver(web.url, 501, old)).status).toBe(200);
    await waitFor(() => (rig.anthropic.requests.length === 1 ? true : undefined), "the old head's model call");

    const latest = rig.openPullRequest(501, { base, head: { "backend/billing/views.py": `${VIEWS_AFTER}# 501 latest\n` } });
    const pushed = Date.now();
    expect((await push(web.url, 501, latest)).status).toBe(200);
    const [stale] = await rig.completedRuns(old, 1);
    // The hanging call would hold the review for 60 s (MODEL_TIMEOUT_MS).
    expect(Date.now() - pushed).toBeLessThan(15_000);
    expect(stale).toMatchObject({ conclusion: "neutral", output: { title: `Superseded by ${latest.slice(0, 7)}` } });
    expect(stale!.output.summary).toContain("nothing was posted");
    expect(await waitFor(() => worker.logs.find((l) => l.msg === "pull request moved to a newer head: stopping the review's model calls"), "the stop's log line")).toBeDefined();

    expect(await rig.completedRuns(latest, 1)).toMatchObject([{ output: { title: "1 high" } }]);
    expect(rig.github.reviews(OWNER, REPO, 501).map((r) => r.commit_id)).toEqual([latest]);
  }, PROCESS_TEST_MS);

  it("counts the installation's ceiling across worker processes", async () => {
    const start = deployment();
    const env = { SPEND_INSTALLATION_DAILY_USD: "0.001", REVIEW_CONCURRENCY: "1" };
    const [a, b] = await Promise.all([start(env), start(env)]);
    rig.anthropic.reset();
    const shas = [511, 512, 513].map((n) => rig.openPullRequest(n, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": `${VIEWS_AFTER}# ${n}\n` } }));
    expect((await rig.deliver(a.url, 511, shas[0]!)).status).toBe(200);
    expect(await rig.completedRuns(shas[0]!, 1)).toMatchObject([{ output: { title: "No findings" } }]);
    // Both workers may take the next ones; neither may spend.
    await Promise.all([rig.deliver(a.url, 512, shas[1]!), rig.deliver(b.url, 513, shas[2]!)]);
    for (const sha of shas.slice(1)) {
      const [run] = await rig.completedRuns(sha, 1);
      expect(run!.output.summary).toContain("not reviewed: the daily model spend ceiling ($0.0010) for this installation was reached; it resets at 00:00 UTC");
    }
    expect(rig.anthropic.requests).toHaveLength(1);
  }, PROCESS_TEST_MS);
});
