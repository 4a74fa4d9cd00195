/**
 * The embedded durable queue with the app as a real process: a review interrupted
 * by SIGKILL or SIGTERM completes after a restart with the same DATA_DIR, and a
 * redelivered webhook is recognised across restarts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, REPO, waitFor } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../support/django-fixtures.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";

let rig: ProcessRig;
let dataDir: string;
const apps: AppProcess[] = [];
const viewsPr = (extra: string) => ({ base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER + extra } });

async function start(env: Record<string, string> = {}): Promise<AppProcess> {
  const app = await spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: dataDir, MODEL_TIMEOUT_MS: "60000", ...env }));
  apps.push(app);
  return app;
}

beforeEach(async () => {
  rig = await startRig();
  dataDir = mkdtempSync(join(tmpdir(), "backend-agent-durable-"));
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop("SIGKILL")));
  await rig.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// A test starts the app twice (tsx compiles on each start): a loaded machine needs more than the default 150 s.
const RESTART_TEST_MS = 180_000;

it("finishes a review after the process is killed mid-review, and completes the orphaned check run as timed_out", async () => {
  const sha = rig.openPullRequest(201, viewsPr("# 201\n"));
  rig.anthropic.fallback = { kind: "hang" };
  const first = await start();
  expect((await rig.deliver(first.url, 201, sha, "delivery-201")).status).toBe(200);
  await waitFor(() => (rig.anthropic.requests.length > 0 ? true : undefined), "the model call");
  expect(rig.runsOn(sha)).toMatchObject([{ status: "in_progress" }]);
  await first.stop("SIGKILL");

  rig.anthropic.reset();
  const second = await start();
  const runs = await rig.completedRuns(sha, 2);
  expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([
    ["timed_out", "Review interrupted"],
    ["success", "No findings"],
  ]);
  expect(second.logs.some((l) => l.msg === "jobs left running by a stopped process queued again")).toBe(true);

  // GitHub keeps X-GitHub-Delivery on a manual redelivery: still one review, across the restart.
  expect((await rig.deliver(second.url, 201, sha, "delivery-201")).status).toBe(200);
  await rig.barrier(second.url);
  expect(rig.runsOn(sha)).toHaveLength(2);
  expect(rig.modelCalls()).toBe(1);
}, RESTART_TEST_MS);

it("does not review again a job whose review completed its check run just before its process was killed", async () => {
  const sha = rig.openPullRequest(204, viewsPr("# 204\n"));
  rig.anthropic.fallback = { kind: "hang" };
  const first = await start();
  expect((await rig.deliver(first.url, 204, sha, "delivery-204")).status).toBe(200);
  await waitFor(() => (rig.anthropic.requests.length > 0 ? true : undefined), "the model call");
  await first.stop("SIGKILL");
  // As if the review had completed its run on GitHub and then lost its process before its job was marked done.
  const [run] = rig.runsOn(sha);
  rig.github.completeCheckRun(OWNER, REPO, run!.id, { conclusion: "failure", title: "1 high" });

  rig.anthropic.reset();
  const second = await start();
  const line = await waitFor(() => second.logs.find((l) => typeof l.msg === "string" && l.msg.startsWith("review already completed by an earlier attempt")), "the job's second attempt");
  expect(line).toMatchObject({ job: "delivery-204", checkRunId: run!.id, conclusion: "failure", title: "1 high" });
  await rig.barrier(second.url);
  // One check run, the earlier attempt's result, and no second model review.
  expect(rig.runsOn(sha)).toMatchObject([{ id: run!.id, status: "completed", conclusion: "failure", output: { title: "1 high" } }]);
  expect(rig.modelCalls()).toBe(0);
}, RESTART_TEST_MS);

it("refuses a second process on the same DATA_DIR, which would run the first one's reviews again, and says why", async () => {
  const first = await start();
  await expect(start()).rejects.toThrow(/backend-agent: DATA_DIR .+ is in use by another backend-agent process/);
  const sha = rig.openPullRequest(203, viewsPr("# 203\n"));
  expect((await rig.deliver(first.url, 203, sha)).status).toBe(200);
  expect((await rig.completedRuns(sha, 1)).map((r) => r.conclusion)).toEqual(["success"]);
}, RESTART_TEST_MS);

it("loses nothing on SIGTERM: the running review and the waiting one complete after the restart", async () => {
  const hung = rig.openPullRequest(202, viewsPr("# 202\n"));
  const waiting = rig.openPullRequest(203, { base: { "frontend/a.ts": "a\n" }, head: { "frontend/a.ts": "b203\n" } });
  rig.anthropic.fallback = { kind: "hang" };
  const first = await start({ REVIEW_CONCURRENCY: "1", SHUTDOWN_GRACE_MS: "300" });
  await rig.deliver(first.url, 202, hung);
  await waitFor(() => (rig.anthropic.requests.length > 0 ? true : undefined), "the model call");
  await rig.deliver(first.url, 203, waiting);
  expect(await first.stop("SIGTERM")).toBe(0);
  expect(rig.runsOn(waiting)).toEqual([]);

  rig.anthropic.reset();
  await start();
  expect((await rig.completedRuns(hung, 2)).map((r) => r.conclusion)).toEqual(["timed_out", "success"]);
  expect(await rig.completedRuns(waiting, 1)).toMatchObject([{ conclusion: "success", output: { title: "No backend changes" } }]);
}, RESTART_TEST_MS);
