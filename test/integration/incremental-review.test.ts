/**
 * Reviews across pushes, over real git histories: each finding is posted once,
 * pushes are reviewed from the last reviewed head, and the check and label follow
 * the open findings of the whole PR.
 */
import { OWNER, REPO, startHarness, waitFor, type Harness } from "../support/app-harness.js";
import { dataBlock, userTextOf } from "../support/data-blocks.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";
import type { RecordedMessageRequest } from "../support/fake-anthropic.js";
import { buildHistory, type GitHistory } from "../support/git-fixture.js";
import { pushHead, replyInThread } from "../support/push-history.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.github.setPermission(OWNER, REPO, "maya", "write");
});
afterAll(() => h.stop());

const VIEWS = "backend/billing/views.py";
const TASKS = "backend/billing/tasks.py";
const FIXED_VIEWS = VIEWS_AFTER.replace("Invoice.objects.all()", "Invoice.objects.filter(tenant=self.request.tenant)");
const TASKS_V1 = "def send_reminders(invoices):\n    for invoice in invoices:\n        invoice.remind()\n";
const TASKS_V2 = `${TASKS_V1}\n\ndef cleanup():\n    return 1\n`;
const TASKS_V3 = `${TASKS_V2}\n\ndef export(token):\n    return compute_export(token)\n`;

const scoping = () => modelFinding({ path: VIEWS, line: lineOf(VIEWS_AFTER, "objects.all()"), category: "tenancy", severity: "critical", title: "Queryset is not scoped to the tenant" });
const total = () => modelFinding({ path: VIEWS, line: lineOf(VIEWS_AFTER, "return sum("), category: "bug", severity: "medium", title: "Total sums every tenant's invoices" });
const exportCheck = () => modelFinding({ path: TASKS, line: lineOf(TASKS_V3, "compute_export(token)"), category: "security", severity: "high", title: "Export token is not checked" });
const answer = (...findings: Array<Record<string, unknown>>) => ({ kind: "json" as const, value: { summary: "", findings } });

const sentFiles = (req: RecordedMessageRequest | undefined) => [...JSON.stringify(req?.body.messages ?? "").matchAll(/### (\S+) — /g)].map((m) => m[1]);
/** The bot's thread-starting review comments on the PR: every finding it ever posted. */
const posted = (n: number) => h.github.reviews(OWNER, REPO, n).flatMap((r) => r.comments).filter((c) => c.in_reply_to_id === undefined && c.body.includes("backend-agent:finding "));
const fingerprints = (n: number) => posted(n).map((c) => /backend-agent:finding ([0-9a-f]{16})/.exec(c.body)?.[1]);

async function review(n: number, history: GitHistory, index: number, action: "opened" | "synchronize" = "synchronize") {
  const sha = pushHead(h, n, history, index);
  const before = h.anthropic.requests.length;
  await h.deliver(action, n, sha);
  const check = await h.completedCheck(sha);
  return { sha, check, modelRequests: h.anthropic.requests.slice(before) };
}

describe("incremental, deduplicated reviews across pushes", () => {
  it("open → fix → unrelated push → force push → resolve and ignore: no finding is ever posted twice, and the check and label follow the open set", async () => {
    const history = buildHistory({
      base: { [VIEWS]: VIEWS_BEFORE, [TASKS]: "def send_reminders(invoices):\n    pass\n" },
      pushes: [
        { head: { [VIEWS]: VIEWS_AFTER, [TASKS]: TASKS_V1 } },
        { head: { [VIEWS]: FIXED_VIEWS } },
        { head: { [TASKS]: TASKS_V2 } },
        { head: { [VIEWS]: FIXED_VIEWS, [TASKS]: TASKS_V3 }, from: "base" },
        { head: { [TASKS]: `${TASKS_V3}# done\n` } },
      ],
    });
    history.cleanup();

    // Opened: a full review posts both findings.
    h.anthropic.enqueue(answer(scoping(), total()));
    const first = await review(401, history, 0, "opened");
    expect(first.check).toMatchObject({ conclusion: "failure", output: { title: "1 critical, 1 medium" } });
    expect(posted(401)).toHaveLength(2);
    expect(h.github.issueLabels(OWNER, REPO, 401)).toEqual(["security: critical"]);

    // A push fixes the scoping: only views.py since the last head goes to the model, which repeats the other finding.
    h.anthropic.enqueue(answer(total()));
    const second = await review(401, history, 1);
    expect(h.github.requestsTo("GET", new RegExp(`/compare/${first.sha}\\.\\.\\.${second.sha}$`))).toHaveLength(1);
    expect(sentFiles(second.modelRequests[0])).toEqual([VIEWS]);
    // The whole PR's diff of that file rides along as context, marked as such.
    const secondText = userTextOf(second.modelRequests[0]!);
    expect(dataBlock(secondText, "pr_context")?.split("\n")[0]).toBe(`#### context: ${VIEWS} — modified`);
    expect(secondText.indexOf("\n<pr_context_")).toBeGreaterThan(0);
    expect(secondText.indexOf("\n<pr_context_")).toBeLessThan(secondText.indexOf("\n<diff_"));
    expect(posted(401)).toHaveLength(2);
    expect(second.check).toMatchObject({ conclusion: "success", output: { title: "1 medium" } });
    expect(second.check.output.summary).toContain(`Reviewed the changes since \`${first.sha.slice(0, 7)}\`. **0 new** · **1 still open** · **1 fixed** since the last review`);
    expect(second.check.output.summary).toContain("~~Queryset is not scoped to the tenant~~");
    expect(h.github.issueLabels(OWNER, REPO, 401)).toEqual([]);

    // An unrelated push: only tasks.py is reviewed; the open finding is still open, and not posted again.
    h.anthropic.enqueue(answer(total()));
    const third = await review(401, history, 2);
    expect(sentFiles(third.modelRequests[0])).toEqual([TASKS]);
    expect(posted(401)).toHaveLength(2);
    expect(third.check).toMatchObject({ conclusion: "success", output: { title: "1 medium" } });
    expect(third.check.annotations).toEqual([expect.objectContaining({ path: VIEWS, start_line: lineOf(FIXED_VIEWS, "return sum(") })]);

    // A force push rewrites the branch: the last reviewed head is gone, so the whole PR is reviewed again.
    h.anthropic.enqueue(answer(total(), exportCheck()));
    const fourth = await review(401, history, 3);
    expect(sentFiles(fourth.modelRequests[0]).sort()).toEqual([TASKS, VIEWS]);
    expect(fourth.check.output.summary).toContain("Reviewed the whole pull request. **1 new** · **1 still open**");
    expect(fourth.check).toMatchObject({ conclusion: "failure", output: { title: "1 high, 1 medium" } });
    expect(posted(401).map((c) => c.path)).toEqual([VIEWS, VIEWS, TASKS]);
    expect(new Set(fingerprints(401)).size).toBe(3);
    expect(h.github.issueLabels(OWNER, REPO, 401)).toEqual(["security: high"]);

    // A person resolves the export thread and has the total finding ignored.
    const [, totalComment, exportComment] = posted(401);
    h.github.resolveReviewThread(OWNER, REPO, exportComment!.id, "maya");
    await replyInThread(h, 401, history, 3, totalComment!, "/backend-agent ignore", "maya");
    await h.idle();
    const reply = h.github.reviews(OWNER, REPO, 401).flatMap((r) => r.comments).find((c) => c.in_reply_to_id === totalComment!.id && c.body.includes("Ignored:"));
    expect(reply?.body).toContain("**Total sums every tenant's invoices** (medium · bug) will not be raised again");

    // The model repeats both on the next push: neither is raised again, and nothing is open.
    // (The push touches tasks.py only: the views.py finding lies outside the increment,
    // so only the export one counts as "not raised again".)
    h.anthropic.enqueue(answer(total(), exportCheck()));
    const fifth = await review(401, history, 4);
    expect(posted(401)).toHaveLength(3);
    expect(fifth.check).toMatchObject({ conclusion: "success", output: { title: "No findings" } });
    expect(fifth.check.output.summary).toContain("1 not raised again (thread resolved or ignored)");
    expect(h.github.issueLabels(OWNER, REPO, 401)).toEqual([]);
    expect(h.github.requests.filter((r) => r.status === 422)).toEqual([]);
  }, 150_000);

  it("a burst of 5 pushes: every check run that started completes (superseded ones neutral), and the last head is reviewed once, from the last reviewed head", async () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `STEP_${i} = ${i}`).join("\n") + "\n";
    const history = buildHistory({
      base: { [VIEWS]: VIEWS_BEFORE },
      pushes: [{ head: { [VIEWS]: VIEWS_AFTER } }, ...[1, 2, 3, 4, 5].map((i) => ({ head: { [TASKS]: lines(i) } }))],
    });
    history.cleanup();
    h.anthropic.enqueue(answer(total()));
    await review(402, history, 0, "opened");
    expect(posted(402)).toHaveLength(1);

    h.anthropic.fallback = answer(total());
    const heads = [1, 2, 3, 4, 5].map((i) => pushHead(h, 402, history, i));
    const before = h.anthropic.requests.length;
    await Promise.all(heads.map((sha) => h.deliver("synchronize", 402, sha)));
    const last = heads[4]!;
    // The queue may drop older waiting reviews before they start (its supersede); whatever did start must complete.
    const final = await waitFor(() => h.github.checkRuns(OWNER, REPO).find((r) => r.head_sha === last && r.status === "completed"), "the last head's check", 60_000);
    await h.idle(60_000);
    const runs = h.github.checkRuns(OWNER, REPO).filter((r) => heads.includes(r.head_sha));
    expect(runs.filter((r) => r.status !== "completed")).toEqual([]);
    expect(runs.filter((r) => r.head_sha !== last).map((r) => [r.conclusion, r.output.title])).toEqual(
      runs.filter((r) => r.head_sha !== last).map(() => ["neutral", `Superseded by ${last.slice(0, 7)}`]),
    );
    expect(final).toMatchObject({ conclusion: "success", output: { title: "1 medium" } });
    expect(runs.filter((r) => r.head_sha === last)).toHaveLength(1);
    // One model review for the burst, of the change since the last reviewed head only.
    expect(h.anthropic.requests.length - before).toBe(1);
    expect(sentFiles(h.anthropic.requests.at(-1))).toEqual([TASKS]);
    expect(posted(402)).toHaveLength(1);
  }, 150_000);

  it("a head that moves while the model works: the check completes neutral, superseded, and nothing is posted", async () => {
    const history = buildHistory({ base: { [VIEWS]: VIEWS_BEFORE }, pushes: [{ head: { [VIEWS]: VIEWS_AFTER } }, { head: { [TASKS]: "X = 1\n" } }] });
    history.cleanup();
    const sha = pushHead(h, 403, history, 0);
    h.anthropic.enqueue({ kind: "delay", ms: 1500, then: answer(scoping()) });
    const before = h.anthropic.requests.length;
    await h.deliver("opened", 403, sha);
    await waitFor(() => (h.anthropic.requests.length > before ? true : undefined), "the model call");
    const next = pushHead(h, 403, history, 1);
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "neutral", output: { title: `Superseded by ${next.slice(0, 7)}` } });
    expect(h.github.reviews(OWNER, REPO, 403)).toEqual([]);
    expect(h.github.issueLabels(OWNER, REPO, 403)).toEqual([]);
  });
});
