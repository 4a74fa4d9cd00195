import { OWNER, REPO, SECRET, startHarness, type Harness } from "../support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";
import { pullRequestPayload, sendWebhook } from "../support/signed-webhook.js";

let h: Harness;
beforeAll(async () => {
  // Not shorter: a normal answer slower than the timeout on a loaded machine would be retried, and counted twice.
  h = await startHarness({ MODEL_TIMEOUT_MS: "2000", MODEL_MAX_RETRIES: "1" });
});
afterAll(() => h.stop());
beforeEach(() => {
  h.anthropic.reset();
  h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "");
});

const viewsPr = { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER } };
const retryFast = { "retry-after-ms": "5" };

describe("every review ends with a completed check that says what happened", () => {
  it("passes a PR that touches nothing under backend/ without calling the model", async () => {
    const sha = h.openPullRequest(101, { base: { "frontend/app.ts": "a\n" }, head: { "frontend/app.ts": "b\n", "docs/x.md": "y\n" } });
    await h.deliver("opened", 101, sha);
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "success", output: { title: "No backend changes" } });
    expect(check.output.summary).toContain("changes nothing in `backend/**`");
    expect(h.anthropic.requests).toEqual([]);
    expect(h.github.reviews(OWNER, REPO, 101)).toEqual([]);
  });

  it("skips drafts with a passing check, and reviews them when the repo sets drafts: true", async () => {
    const sha = h.openPullRequest(102, viewsPr, { draft: true });
    await h.deliver("opened", 102, sha, { draft: true });
    expect(await h.completedCheck(sha)).toMatchObject({ conclusion: "success", output: { title: "Draft skipped" } });
    expect(h.anthropic.requests).toEqual([]);

    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "drafts: true\n");
    await h.deliver("synchronize", 102, sha, { draft: true });
    expect(await h.completedCheck(sha)).toMatchObject({ conclusion: "success", output: { title: "No findings" } });
    expect(h.anthropic.requests).toHaveLength(1);
  });

  it("fails closed with a table of problems when the repo's config file is invalid, without calling the model", async () => {
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "failon: high\nmaxComments: lots\n");
    const sha = h.openPullRequest(103, viewsPr);
    await h.deliver("opened", 103, sha);
    const check = await h.completedCheck(sha);
    // Its onIncomplete cannot be read: the default (failure) applies.
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "Invalid configuration" } });
    expect(check.output.summary).toContain("`/backend-agent skip <reason>`");
    expect(check.output.summary).toContain("| `maxComments` | Invalid input: expected number, received string |");
    expect(check.output.summary).toContain("| `failon` | unknown setting |");
    expect(h.anthropic.requests).toEqual([]);

    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "paths: [backend/**\n");
    await h.deliver("synchronize", 103, sha);
    const broken = await h.completedCheck(sha);
    expect(broken.output.title).toBe("Invalid configuration");
    expect(broken.output.summary).toMatch(/\| `\(file\)` \| not valid YAML\./);
  });

  it("follows the repo's settings: paths, failOn and onError", async () => {
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "paths: ['services/**']\nfailOn: critical\n");
    const sha = h.openPullRequest(104, { base: { "services/api.py": VIEWS_BEFORE }, head: { "services/api.py": VIEWS_AFTER } });
    h.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [modelFinding({ path: "services/api.py", line: lineOf(VIEWS_AFTER, "objects.all()"), severity: "high" })] } });
    await h.deliver("opened", 104, sha);
    expect(await h.completedCheck(sha)).toMatchObject({ conclusion: "success", output: { title: "1 high" } });
  });

  it("fails closed and says why when Anthropic stays overloaded (529) or rate-limited (429), or is neutral with onIncomplete: neutral", async () => {
    const overloaded = { kind: "error" as const, status: 529, type: "overloaded_error", headers: retryFast };
    h.anthropic.fallback = overloaded;
    const sha = h.openPullRequest(105, viewsPr);
    await h.deliver("opened", 105, sha);
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "No findings (review incomplete: 1 file not reviewed)" } });
    expect(check.output.summary).toContain("was not reviewed by the model: The model call failed: the API is overloaded (529) and retries ran out.");
    expect(check.output.summary).toContain("- `backend/billing/views.py` — not reviewed: the model request failed");
    expect(h.anthropic.requests).toHaveLength(2);

    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "onIncomplete: neutral\n");
    h.anthropic.fallback = { kind: "error", status: 429, type: "rate_limit_error", headers: retryFast };
    await h.deliver("synchronize", 105, sha);
    const lenient = await h.completedCheck(sha);
    expect(lenient.conclusion).toBe("neutral");
    expect(lenient.output.summary).toContain("the API rate limit was hit (429) and retries ran out");
  });

  it("retries malformed model output once, then reports it", async () => {
    const sha = h.openPullRequest(106, viewsPr);
    h.anthropic.enqueue({ kind: "text", text: "Sure! Here are my findings: {" }, { kind: "json", value: { summary: "", findings: [modelFinding({ line: lineOf(VIEWS_AFTER, "objects.all()"), severity: "medium" })] } });
    await h.deliver("opened", 106, sha);
    expect(await h.completedCheck(sha)).toMatchObject({ conclusion: "success", output: { title: "1 medium" } });
    expect(h.anthropic.requests).toHaveLength(2);
    expect(JSON.stringify(h.anthropic.requests[1]!.body.messages)).toContain("Your previous answer to this request was rejected: the answer was not valid JSON");

    // Structurally broken (no findings array): retried once, then reported. A malformed finding alone is not (next test).
    h.anthropic.enqueue({ kind: "json", value: { summary: "x" } }, { kind: "json", value: { summary: "x", findings: "none" } });
    await h.deliver("synchronize", 106, sha);
    const check = await h.completedCheck(sha);
    // The medium posted by the first review is on unchanged code: it is still open. It does not reach failOn; the gap does.
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "1 medium (review incomplete: 1 file not reviewed)" } });
    expect(check.output.summary).toContain("The model's answer was unusable twice: the answer did not match the schema (findings:");
  });

  it("drops a malformed finding, counted in the summary, and keeps the other findings of its answer without a retry", async () => {
    const sha = h.openPullRequest(113, viewsPr);
    const line = lineOf(VIEWS_AFTER, "objects.all()");
    // A confidence of 90 where the schema says 0..1: the API does not enforce the bound (the SDK moves it into the description).
    h.anthropic.enqueue({
      kind: "json",
      value: { summary: "", findings: [modelFinding({ line, severity: "medium", title: "Unscoped queryset" }), modelFinding({ line, severity: "critical", title: "Overconfident", confidence: 90 })] },
    });
    await h.deliver("opened", 113, sha);
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "success", output: { title: "1 medium" } });
    expect(h.anthropic.requests).toHaveLength(1);
    expect(check.output.summary).toContain("1 malformed finding in the model's answer was dropped (not posted)");
    expect(check.output.summary).toContain("findings.1.confidence");
    const [review] = h.github.reviews(OWNER, REPO, 113);
    expect(JSON.stringify(review)).toContain("Unscoped queryset");
    expect(JSON.stringify(review)).not.toContain("Overconfident");
  });

  it("fails closed when the model hangs past the timeout", async () => {
    h.anthropic.fallback = { kind: "hang" };
    const sha = h.openPullRequest(107, viewsPr);
    await h.deliver("opened", 107, sha);
    const check = await h.completedCheck(sha);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("- `backend/billing/views.py` — not reviewed: the model request failed");
    expect(check.output.summary).toContain("The model did not answer in time (request timed out).");
  });

  it("rejects a bad signature with 400 and starts nothing", async () => {
    const sha = h.openPullRequest(108, viewsPr);
    const before = h.github.requests.length;
    const delivery = await sendWebhook(`${h.app.url}/api/github/webhooks`, {
      event: "pull_request",
      payload: pullRequestPayload("opened", { owner: OWNER, repo: REPO, number: 108, headSha: sha }),
      secret: "not-the-secret",
    });
    expect(delivery.status).toBe(400);
    // Handlers only enqueue, and the answer waits for them: had anything been queued, the queue would not be idle.
    await h.idle();
    expect(h.github.requests.length).toBe(before);
    expect(SECRET).not.toBe("not-the-secret");
  });

  it("reviews a redelivered webhook once", async () => {
    const sha = h.openPullRequest(109, viewsPr);
    const before = Math.max(0, ...h.github.checkRuns(OWNER, REPO).map((run) => run.id));
    const first = await h.deliver("opened", 109, sha, { deliveryId: "delivery-109" });
    const again = await h.deliver("opened", 109, sha, { deliveryId: "delivery-109" });
    expect([first.status, again.status]).toEqual([200, 200]);
    await h.completedCheck(sha);
    await h.idle();
    expect(h.github.checkRuns(OWNER, REPO).filter((run) => run.id > before)).toHaveLength(1);
    expect(h.anthropic.requests).toHaveLength(1);
  });

  it("completes a stale job's check as superseded when the branch moved on", async () => {
    const old = h.openPullRequest(110, viewsPr);
    const latest = h.openPullRequest(110, { base: viewsPr.base, head: { "backend/billing/views.py": VIEWS_AFTER + "# more\n" } });
    await h.deliver("synchronize", 110, old);
    const check = await h.completedCheck(old);
    expect(check).toMatchObject({ conclusion: "neutral", output: { title: `Superseded by ${latest.slice(0, 7)}` } });
    expect(h.anthropic.requests).toEqual([]);
  });
});
