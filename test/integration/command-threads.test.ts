/**
 * Slash commands run in the worker threads with reviews: `ask` is answered from a
 * thread through the real app; a thread stopped mid-`ask` at its time budget leaves the
 * user a reply saying the command failed (never silence), and the replaced thread
 * answers the next one; with REVIEW_WORKERS=0 `ask` is answered in-process.
 */
import { OWNER, REPO, startHarness, waitFor, type Harness } from "../support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../support/django-fixtures.js";

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
