/**
 * Reviews run in worker threads, with the app as a real process (`node --import tsx
 * src/main.ts`, so the threads load their entry through tsx as in development): on the
 * embedded queue and on BullMQ, and a thread that passes its time budget or runs out of
 * heap is stopped, its check run completed with what happened, and the pool replaced
 * with a thread that reviews the next PR.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, REPO, waitFor } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../support/django-fixtures.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { describeWithRedis, REDIS_URL } from "../support/services.js";
import { toolResultsOf } from "../support/data-blocks.js";

const PROCESS_TEST_MS = 180_000;
const prefix = `backend-agent-test-${randomUUID()}`;
let rig: ProcessRig;
let dataDir: string;
const apps: AppProcess[] = [];

const start = async (env: Record<string, string> = {}) => {
  const app = await spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: mkdtempSync(join(dataDir, "app-")), REVIEW_WORKERS: "1", ...env }));
  apps.push(app);
  return app;
};

const django = (number: number, extra: Record<string, string> = {}) =>
  rig.openPullRequest(number, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER, [`backend/billing/pr_${number}.py`]: `NUMBER = ${number}\n`, ...extra } });

/** The "review finished" line of a PR's review (the thread logs it as the check completes: waited for). */
const finishedLine = (app: AppProcess, number: number) => waitFor(() => app.logs.find((l) => l.msg === "review finished" && l.pr === number), `PR ${number}'s "review finished" line`);

beforeAll(async () => {
  rig = await startRig();
  dataDir = mkdtempSync(join(tmpdir(), "backend-agent-threads-"));
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop("SIGKILL")));
  rig.anthropic.reset();
});
afterAll(async () => {
  await rig.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("reviews in worker threads", () => {
  it(
    "runs a review in a thread on the embedded queue",
    async () => {
      const app = await start();
      const sha = django(801);
      expect((await rig.deliver(app.url, 801, sha)).status).toBe(200);
      expect(await rig.completedRuns(sha, 1)).toMatchObject([{ status: "completed" }]);
      // The review's own log line comes from the thread; the webhook thread only enqueued it.
      expect(await finishedLine(app, 801)).toMatchObject({ thread: "review" });
      expect(rig.anthropic.requests.length).toBeGreaterThan(0);
    },
    PROCESS_TEST_MS,
  );

  it(
    "runs REVIEW_CONCURRENCY reviews at once on one thread: their model calls are in flight together",
    async () => {
      const app = await start({ REVIEW_CONCURRENCY: "2", MODEL_TIMEOUT_MS: "120000" });
      rig.anthropic.fallback = () => ({ kind: "hang" });
      const shas = [809, 810].map((n) => django(n));
      for (const [i, sha] of shas.entries()) await rig.deliver(app.url, 809 + i, sha);
      const prsOf = () => new Set([809, 810].filter((n) => rig.anthropic.requests.some((r) => r.rawBody.includes(`pr_${n}.py`))));
      expect(await waitFor(() => (prsOf().size === 2 ? prsOf() : undefined), "both reviews' model calls, in flight together")).toEqual(new Set([809, 810]));
      expect(shas.map((sha) => rig.runsOn(sha).map((r) => r.status))).toEqual([["in_progress"], ["in_progress"]]);
    },
    PROCESS_TEST_MS,
  );

  it(
    "stops a review past its time budget, completes its check as timed out, and reviews the next PR in a new thread",
    async () => {
      const app = await start({ REVIEW_WORKER_TIMEOUT_SECONDS: "4", MODEL_TIMEOUT_MS: "120000" });
      // A first review warms the thread, so that the budget below is the review's alone.
      const warm = django(802);
      await rig.deliver(app.url, 802, warm);
      await rig.completedRuns(warm, 1);
      rig.anthropic.fallback = (request) => (request.rawBody.includes("pr_803.py") ? { kind: "hang" } : { kind: "json", value: { summary: "", findings: [] } });
      const stuck = django(803);
      await rig.deliver(app.url, 803, stuck);
      const [run] = await rig.completedRuns(stuck, 1).catch((error: unknown) => {
        console.log(JSON.stringify(app.logs.slice(-12)));
        throw error;
      });
      expect(run).toMatchObject({ conclusion: "timed_out", output: { title: "Review timed out" } });
      expect(run!.output.summary).toContain("Re-run this check");
      // The process's log reaches this test through a pipe, possibly after GitHub heard of the check run: wait for the line.
      const stopped = await waitFor(() => app.logs.find((l) => l.msg === "review thread passed its time budget and was stopped"), "the log line of the stopped thread");
      expect(stopped.job).toBeDefined();

      const next = django(804);
      await rig.deliver(app.url, 804, next);
      expect(await rig.completedRuns(next, 1)).toMatchObject([{ conclusion: expect.stringMatching(/success|failure/) }]);
      expect(await finishedLine(app, 804)).toMatchObject({ thread: "review" });
    },
    PROCESS_TEST_MS,
  );

  it(
    "completes the check of a review whose thread ran out of heap, and keeps serving",
    async () => {
      const app = await start({ REVIEW_WORKER_HEAP_MB: process.env.OOM_HEAP_MB ?? "64" });
      // Twelve 0.8 MB files (each patch under the 1 MB a patch may have to be parsed; 1.2 million lines, parsed bigger than the
      // thread's heap): the 11 MB list of files crosses the relay whole and parsed (it once arrived as a string, Octokit's
      // body parser having failed on it), and the thread dies reading the patches.
      const big = `${"x = 'y'\n".repeat(800_000 / 8)}`;
      const sha = django(805, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`backend/billing/big_${i}.py`, big])));
      await rig.deliver(app.url, 805, sha);
      const [run] = await rig.completedRuns(sha, 1);
      expect(run).toMatchObject({ conclusion: "failure", output: { title: "Review failed: the review worker stopped" } });
      // The process's log reaches this test through a pipe, possibly after GitHub heard of the check run: waited for.
      const failed = await waitFor(() => app.logs.find((l) => l.msg === "review thread failed"), "the log line of the failed thread");
      expect(failed.err).toMatchObject({ code: "ERR_WORKER_OUT_OF_MEMORY" });
      expect(run!.output.summary).toContain("Re-run this check");
      const health = await fetch(`${app.url}/healthz`);
      expect(health.status).toBe(200);

      const next = django(806);
      await rig.deliver(app.url, 806, next);
      expect(await rig.completedRuns(next, 1)).toMatchObject([{ status: "completed" }]);
      expect(await finishedLine(app, 806)).toMatchObject({ thread: "review" });
    },
    PROCESS_TEST_MS,
  );

  it(
    "extracts the head tarball in the review's thread (the webhook thread only streams its bytes to a file) and the model reads it",
    async () => {
      const dir = mkdtempSync(join(dataDir, "app-"));
      const app = await start({ DATA_DIR: dir });
      const sha = django(808);
      rig.github.setCommit(OWNER, REPO, sha, [{ path: "backend/billing/permissions.py", content: "class IsBillingAdmin(BasePermission):\n    pass\n" }]);
      rig.anthropic.enqueue({ kind: "tool_use", calls: [{ name: "read_file", input: { path: "backend/billing/permissions.py" } }] }, { kind: "json", value: { summary: "", findings: [] } });
      await rig.deliver(app.url, 808, sha);
      expect(await rig.completedRuns(sha, 1)).toMatchObject([{ status: "completed", conclusion: "success" }]);
      const [read] = toolResultsOf(rig.anthropic.requests.find((r) => toolResultsOf(r).length > 0)!);
      expect(read).toMatchObject({ isError: false, text: expect.stringContaining("class IsBillingAdmin") });
      // The webhook thread's part is the download (no thread field); the gunzip, tar parsing and indexing are the review thread's.
      const downloaded = await waitFor(() => app.logs.find((l) => l.msg === "head tarball downloaded for the review's thread"), "the download's log line");
      expect(downloaded).toMatchObject({ bytes: expect.any(Number) });
      expect(downloaded).not.toHaveProperty("thread");
      expect(await waitFor(() => app.logs.find((l) => l.msg === "extracting the head tarball"), "the extraction's log line")).toMatchObject({ thread: "review", pr: 808 });
      // The download was read and deleted; the snapshot is in the cache.
      expect(readdirSync(join(dir, "snapshots", ".tmp"))).toEqual([]);
      expect(readdirSync(join(dir, "snapshots", OWNER.toLowerCase(), REPO.toLowerCase()))).toEqual([sha]);
    },
    PROCESS_TEST_MS,
  );

  it(
    "reviews a PR whose file list is 16 MB: the list reaches the thread parsed, and the check says what was reviewed",
    async () => {
      const app = await start();
      // Outside the reviewed paths, so the core does not parse its two million lines (which takes minutes on a loaded
      // machine): what this exercises is the 16 MB page of the file list crossing from the webhook thread, which once
      // arrived as a string (Octokit's JSON parser gave up on it) and failed the review.
      const sha = django(807, { "frontend/huge.js": "x = 'y'\n".repeat((16 * 1024 * 1024) / 8) });
      await rig.deliver(app.url, 807, sha);
      const [run] = await rig.completedRuns(sha, 1);
      expect(run).toMatchObject({ status: "completed", conclusion: expect.stringMatching(/^(success|failure)$/) });
      expect(run!.output.title).not.toMatch(/could not|worker stopped/i);
      expect(run!.output.summary).not.toContain("Review could not run");
      expect(await finishedLine(app, 807)).toMatchObject({ thread: "review" });
      expect(app.logs.some((l) => l.msg === "review thread failed")).toBe(false);
    },
    PROCESS_TEST_MS,
  );
});

describeWithRedis("reviews in worker threads on BullMQ", () => {
  afterAll(async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it(
    "runs a review in a thread of a BullMQ worker",
    async () => {
      const app = await start({ REDIS_URL, QUEUE_PREFIX: prefix, QUEUE_LOCK_MS: "10000" });
      const sha = django(811);
      expect((await rig.deliver(app.url, 811, sha)).status).toBe(200);
      expect(await rig.completedRuns(sha, 1)).toMatchObject([{ status: "completed" }]);
      expect(await finishedLine(app, 811)).toMatchObject({ thread: "review" });
    },
    PROCESS_TEST_MS,
  );
});
