/**
 * Slash commands run in the worker threads with reviews: `ask` is answered from a
 * thread through the real app; a thread stopped mid-`ask` at its time budget leaves the
 * user a reply saying the command failed (never silence), and the replaced thread
 * answers the next one; with REVIEW_WORKERS=0 `ask` is answered in-process. As a real
 * process, the lines `ask` logs come from a command thread, not the webhook thread.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, REPO, SECRET, startHarness, waitFor, type Harness } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../support/django-fixtures.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { issueCommentPayload, sendWebhook } from "../support/signed-webhook.js";

const viewsPr = { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER } };
const MARKER = "<!-- backend-agent:reply -->";
/** Far past the budget below: only the thread's budget can end a hanging `ask` within the test. */
const MODEL_TIMEOUT_MS = "120000";
/** The thread's time budget: long enough for an ordinary answer on a loaded machine, short enough to wait for. */
const BUDGET_SECONDS = "8";

/** Threads start through tsx, which on a loaded machine takes long: a generous limit that only a failure waits out. */
const THREAD_TEST_MS = 180_000;
const WAIT_MS = 150_000;

const answered = (h: Harness, pr: number, count: number) =>
  waitFor(() => (h.botComments(pr).length >= count ? h.botComments(pr) : undefined), `${count} replies on PR ${pr}`, WAIT_MS);

describe("slash commands in worker threads", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REVIEW_WORKERS: "1", REVIEW_WORKER_TIMEOUT_SECONDS: BUDGET_SECONDS, MODEL_TIMEOUT_MS, MODEL_MAX_RETRIES: "0" });
    h.github.setPermission(OWNER, REPO, "maya", "write");
    // `help` warms the thread (its start and first task), so that the budget below is the `ask`'s alone.
    h.openPullRequest(500, viewsPr);
    await h.comment(500, "/backend-agent help", { user: "maya" });
    await answered(h, 500, 1);
  }, THREAD_TEST_MS);
  afterAll(() => h.stop());
  beforeEach(() => h.anthropic.reset());

  it("answers `ask` from a thread, with the diff sent to the model and the answer posted", async () => {
    h.openPullRequest(501, viewsPr);
    h.anthropic.enqueue({ kind: "json", value: { answer: "Every tenant's invoices are listed: `get_queryset` is not scoped." } });
    const { id } = await h.comment(501, "/backend-agent ask Is the queryset tenant-scoped?", { user: "maya" });
    const [reply, ...more] = await answered(h, 501, 1);
    expect(more).toEqual([]);
    expect(reply!.body).toMatch(/^> \/backend-agent ask Is the queryset tenant-scoped\?\n\nEvery tenant's invoices are listed/);
    expect(reply!.body).toContain(MARKER);
    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(h.anthropic.sentText().join("\n")).toContain("Invoice.objects.all()");
  }, THREAD_TEST_MS);

  it("replies that an `ask` failed when its thread passes its time budget, and answers the next from a new thread", async () => {
    h.openPullRequest(502, viewsPr);
    h.anthropic.enqueue({ kind: "hang" });
    const { id } = await h.comment(502, "/backend-agent ask Will this hang?", { user: "maya" });
    // In the webhook thread nothing would stop the hanging call before MODEL_TIMEOUT_MS: this reply comes from the pool's budget.
    const [stopped] = await answered(h, 502, 1);
    expect(stopped!.body).toMatch(/^> \/backend-agent ask Will this hang\?\n\n/);
    expect(stopped!.body).toContain(`This command failed: it was still running after ${BUDGET_SECONDS} seconds, so it was stopped. Try again in a few minutes.`);
    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(h.anthropic.requests).toHaveLength(1);
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);

    h.anthropic.enqueue({ kind: "json", value: { answer: "It does not hang any more." } });
    await h.comment(502, "/backend-agent ask And now?", { user: "maya" });
    const [, next, ...more] = await answered(h, 502, 2);
    expect(more).toEqual([]);
    expect(next!.body).toMatch(/^> \/backend-agent ask And now\?\n\nIt does not hang any more\./);
    await h.idle(WAIT_MS);
  }, THREAD_TEST_MS);
});

describe("slash commands with REVIEW_WORKERS=0", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REVIEW_WORKERS: "0" });
    h.github.setPermission(OWNER, REPO, "maya", "write");
  });
  afterAll(() => h.stop());

  it("answers `ask` in the webhook thread", async () => {
    h.openPullRequest(511, viewsPr);
    h.anthropic.enqueue({ kind: "json", value: { answer: "Answered in-process." } });
    await h.comment(511, "/backend-agent ask Where does this run?", { user: "maya" });
    const [reply] = await answered(h, 511, 1);
    expect(reply!.body).toMatch(/^> \/backend-agent ask Where does this run\?\n\nAnswered in-process\./);
    expect(h.anthropic.requests).toHaveLength(1);
  });
});

describe("slash commands in worker threads of an app process", () => {
  let rig: ProcessRig;
  let dataDir: string;
  let app: AppProcess | undefined;
  beforeAll(async () => {
    rig = await startRig();
    dataDir = mkdtempSync(join(tmpdir(), "backend-agent-command-threads-"));
    rig.github.setPermission(OWNER, REPO, "maya", "write");
  });
  afterAll(async () => {
    await app?.stop("SIGKILL");
    await rig.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("logs the answer of `ask` from a command thread, and posts it", async () => {
    app = await spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: dataDir, REVIEW_WORKERS: "1" }));
    rig.openPullRequest(521, viewsPr);
    rig.anthropic.enqueue({ kind: "json", value: { answer: "Answered from a thread." } });
    const body = "/backend-agent ask Which thread answers?";
    const id = rig.github.addIssueComment(OWNER, REPO, 521, { body, user: { login: "maya", type: "User" } });
    const delivery = await sendWebhook(`${app.url}/api/github/webhooks`, {
      event: "issue_comment", payload: issueCommentPayload({ owner: OWNER, repo: REPO, number: 521 }, { body, user: "maya", id }), secret: SECRET,
    });
    expect(delivery.status).toBe(200);
    const line = await waitFor(() => app!.logs.find((l) => l.msg === "question answered" && l.pr === 521), "PR 521's \"question answered\" line", WAIT_MS);
    // The core ran where the line was logged: in a thread of the pool (the webhook thread's lines carry no `thread`).
    expect(line).toMatchObject({ thread: "command", job: expect.any(String), modelCalls: 1 });
    const replies = await waitFor(() => {
      const bot = rig.github.issueComments(OWNER, REPO, 521).filter((c) => c.body.includes(MARKER));
      return bot.length > 0 ? bot : undefined;
    }, "the reply on PR 521", WAIT_MS);
    expect(replies.map((c) => c.body)).toEqual([expect.stringMatching(/^> \/backend-agent ask Which thread answers\?\n\nAnswered from a thread\./)]);
    const finished = await waitFor(() => app!.logs.find((l) => l.msg === "command finished" && l.pr === 521), "PR 521's \"command finished\" line", WAIT_MS);
    // The webhook thread only logged the job's start and end.
    expect(finished).toMatchObject({ outcome: "answered" });
    expect(finished.thread).toBeUndefined();
  }, THREAD_TEST_MS);
});
