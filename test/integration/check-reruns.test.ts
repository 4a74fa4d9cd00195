import { OWNER, REPO, startHarness, waitFor, type Harness } from "../support/app-harness.js";
import { dataBlock } from "../support/data-blocks.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";
import { checkRunPayload, checkSuitePayload } from "../support/signed-webhook.js";

let h: Harness;
beforeAll(async () => {
  // Long enough for a model answer held back on purpose while a second request arrives.
  h = await startHarness({ MODEL_TIMEOUT_MS: "15000" });
  h.github.setPermission(OWNER, REPO, "maya", "write");
});
afterAll(() => h.stop());
beforeEach(() => h.anthropic.reset());

const viewsPr = { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER } };
const allLine = lineOf(VIEWS_AFTER, "Invoice.objects.all()");
/** Check runs for a PR (fixtures with the same files share a head SHA, so the SHA does not tell). */
const checksOf = (pr: number) => h.github.checkRuns(OWNER, REPO).filter((r) => r.external_id === `pr:${pr}`);
const noFindings = { kind: "json", value: { summary: "", findings: [] } } as const;

/** Opens the PR and waits for its first review; returns the head and that check run's id. */
async function reviewed(number: number): Promise<{ sha: string; checkId: number }> {
  const sha = h.openPullRequest(number, viewsPr);
  await h.deliver("opened", number, sha);
  const check = await h.completedCheck(sha);
  return { sha, checkId: check.id };
}

describe("re-running the review from the check", () => {
  it("reviews the head again on check_run.rerequested (the Re-run button)", async () => {
    const { sha, checkId } = await reviewed(301);
    h.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [modelFinding({ line: allLine, severity: "medium", category: "bug", title: "Found on the re-run" })] } });

    const delivery = await h.send("check_run", checkRunPayload("rerequested", { owner: OWNER, repo: REPO, id: checkId, headSha: sha, prNumber: 301, sender: "maya" }));
    expect(delivery.status).toBe(200);
    const rerun = await h.completedCheck(sha);

    expect(rerun.id).toBeGreaterThan(checkId);
    expect(rerun).toMatchObject({ name: "backend-agent", conclusion: "success", output: { title: "1 medium" } });
    expect(checksOf(301).map((r) => r.status)).toEqual(["completed", "completed"]);
    expect(h.anthropic.requests).toHaveLength(2);
    expect(h.github.reviews(OWNER, REPO, 301).map((r) => r.comments.map((c) => c.line))).toEqual([[allLine]]);
  });

  it("reviews again on the \"Re-run review\" button, finding the PR of a fork through the run's external_id, and ignores other buttons and other checks", async () => {
    const { sha, checkId } = await reviewed(302);
    const [first] = checksOf(302);
    expect(first).toMatchObject({ external_id: "pr:302", actions: [{ label: "Re-run review", identifier: "rerun", description: "Review this commit again" }] });

    const before = h.github.requests.length;
    await h.send("check_run", checkRunPayload("requested_action", { owner: OWNER, repo: REPO, id: checkId, headSha: sha, prNumber: 302, identifier: "explain" }));
    await h.send("check_run", checkRunPayload("rerequested", { owner: OWNER, repo: REPO, id: 77, headSha: sha, prNumber: 302, name: "lint" }));
    await h.idle();
    expect(h.github.requests.slice(before)).toEqual([]);

    await h.send("check_run", checkRunPayload("requested_action", { owner: OWNER, repo: REPO, id: checkId, headSha: sha, prNumber: 302, identifier: "rerun", noPullRequests: true, externalId: "pr:302" }));
    const rerun = await h.completedCheck(sha);
    expect(rerun).toMatchObject({ name: "backend-agent", conclusion: "success", external_id: "pr:302" });
    expect(checksOf(302)).toHaveLength(2);
    expect(h.anthropic.requests).toHaveLength(2);
  });

  it("reviews the head again on check_suite.rerequested (Re-run all checks)", async () => {
    const { sha } = await reviewed(303);
    await h.send("check_suite", checkSuitePayload({ owner: OWNER, repo: REPO, headSha: sha, prNumber: 303 }));
    const rerun = await h.completedCheck(sha);
    expect(rerun).toMatchObject({ name: "backend-agent", status: "completed", external_id: "pr:303" });
    expect(checksOf(303)).toHaveLength(2);
    expect(h.anthropic.requests).toHaveLength(2);
  });
});

describe("one review per head at a time", () => {
  it("starts nothing for a re-run or a command while that head is being reviewed, and says so to the commenter", async () => {
    const sha = h.openPullRequest(304, viewsPr);
    h.anthropic.enqueue({ kind: "delay", ms: 5000, then: noFindings });
    await h.deliver("opened", 304, sha);
    await waitFor(() => (h.anthropic.requests.length === 1 ? true : undefined), "the model call of the first review");
    const [running] = checksOf(304);
    expect(running!.status).toBe("in_progress");

    const rerun = await h.send("check_run", checkRunPayload("rerequested", { owner: OWNER, repo: REPO, id: running!.id, headSha: sha, prNumber: 304 }));
    expect(rerun.status).toBe(200);
    const { id } = await h.comment(304, "/backend-agent review", { user: "maya" });
    const reply = await waitFor(() => h.botComments(304)[0], "the reply to the command");
    // The reply came while the first review was still waiting for the model.
    expect(checksOf(304).map((r) => r.status)).toEqual(["in_progress"]);
    await h.idle();

    expect(reply.body).toMatch(new RegExp(`^> /backend-agent review\\n\\nA review of \`${sha.slice(0, 7)}\` is already running; its results will appear on this pull request\\.`));
    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(checksOf(304)).toEqual([expect.objectContaining({ id: running!.id, status: "completed", conclusion: "success" })]);
    expect(h.anthropic.requests).toHaveLength(1);
  });

  it("completes the check of a command-triggered review whose model call fails", async () => {
    const sha = h.openPullRequest(305, viewsPr);
    h.anthropic.enqueue({ kind: "error", status: 400, type: "invalid_request_error", message: "prompt is too long" });
    await h.comment(305, "/backend-agent", { user: "maya" });
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ name: "backend-agent", status: "completed", conclusion: "failure", output: { title: "No findings (review incomplete: 1 file not reviewed)" } });
    expect(check.output.summary).toContain("was not reviewed by the model: The model call failed: the API answered 400.");
    expect(h.anthropic.requests).toHaveLength(1);
  });
});

describe("questions in a review thread", () => {
  it("answers `/backend-agent <question>` in the thread, with the thread's hunk as context", async () => {
    h.openPullRequest(306, viewsPr);
    h.anthropic.enqueue({ kind: "json", value: { answer: "Yes: `Invoice.objects.all()` ignores `request.tenant`, so it lists every tenant's invoices." } });

    const { id } = await h.reviewComment(306, { path: "backend/billing/views.py", line: allLine, body: "/backend-agent does this leak other tenants' invoices?", user: "maya" });
    await h.idle();

    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(h.anthropic.requests).toHaveLength(1);
    const sent = h.anthropic.sentText()[0]!;
    expect(dataBlock(sent, "question")).toBe("does this leak other tenants' invoices?");
    expect(sent).toContain("asked in a review thread on the file named in the thread block");
    expect(dataBlock(sent, "thread")).toMatch(new RegExp(`^### backend/billing/views.py — modified\\n[^]*\\s${allLine} \\+        return Invoice\\.objects\\.all\\(\\)$`));

    const thread = h.github.reviews(OWNER, REPO, 306).flatMap((r) => r.comments);
    expect(thread).toEqual([
      expect.objectContaining({ id, body: "/backend-agent does this leak other tenants' invoices?" }),
      expect.objectContaining({ in_reply_to_id: id, path: "backend/billing/views.py", body: expect.stringMatching(/^> \/backend-agent does this leak other tenants' invoices\?\n\nYes: `Invoice\.objects\.all\(\)` ignores/) }),
    ]);
    expect(h.botComments(306)).toEqual([]);
    expect(checksOf(306)).toEqual([]);
  });

  it("answers nobody without permission: the notice goes on the conversation, where it is found again, and the model is not called", async () => {
    h.openPullRequest(307, viewsPr);
    const { id } = await h.reviewComment(307, { path: "backend/billing/views.py", line: allLine, body: "/backend-agent is this fine?", user: "rita" });
    await h.idle();
    expect(h.botComments(307).map((c) => c.body)).toEqual([expect.stringMatching(/^> \/backend-agent is this fine\?\n\nSorry @rita/)]);
    expect(h.github.reviews(OWNER, REPO, 307).flatMap((r) => r.comments).map((c) => c.id)).toEqual([id]);
    expect(h.github.reactions(OWNER, REPO, id)).toEqual([]);
    expect(h.anthropic.requests).toEqual([]);
  });
});
