/**
 * Rule 4 of issue 15: the required check fails closed. Whatever an outsider can make
 * go wrong (the model down, a file GitHub shows no diff of) ends `failure` with the
 * unreviewed files listed, unless the repository chose `onIncomplete: neutral`; a
 * writer's `/backend-agent skip <reason>` passes it, recorded; skip globs skip only
 * the model, so the rules and the secret scan still read vendored files.
 */
import { OWNER, REPO, startHarness, type Harness } from "../support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";
import { buildPullRequest, type GitFixtureSpec } from "../support/git-fixture.js";

// Built from pieces so this file holds no token-shaped literal.
const KEY_ID = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
const SECRET_KEY = ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/");

const VIEWS = "backend/billing/views.py";
const viewsPr = { base: { [VIEWS]: VIEWS_BEFORE }, head: { [VIEWS]: VIEWS_AFTER } };
const down = { kind: "error" as const, status: 529, type: "overloaded_error", headers: { "retry-after-ms": "5" } };
const noFindings = { kind: "json" as const, value: { summary: "", findings: [] } };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MODEL_MAX_RETRIES: "1" });
  h.github.setPermission(OWNER, REPO, "maya", "write");
  h.github.setPermission(OWNER, REPO, "rita", "read");
  h.github.setPermission(OWNER, REPO, "tina", "triage");
});
afterAll(() => h.stop());
beforeEach(() => {
  h.anthropic.reset();
  h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "");
});

/** Check runs for a PR (fixtures with the same files share a head SHA, so the SHA does not tell). */
const checksOf = (pr: number) => h.github.checkRuns(OWNER, REPO).filter((r) => r.external_id === `pr:${pr}`);

/** Opens a PR whose listing lacks the `patch` of `withoutPatch`, as GitHub sends a diff too large to show. */
function openWithoutPatch(number: number, spec: GitFixtureSpec, withoutPatch: string): string {
  const fixture = buildPullRequest(spec);
  fixture.cleanup();
  const files = fixture.files.map((f) => (f.filename === withoutPatch ? { ...f, patch: undefined } : f));
  h.github.addPullRequest({ owner: OWNER, repo: REPO, number, headSha: fixture.headSha, baseSha: fixture.baseSha, files, draft: false, title: "Big change" });
  return fixture.headSha;
}

describe("an incomplete review fails the check", () => {
  it("fails when the model stays down (529 past retries), lists the file and offers a re-run and a skip", async () => {
    h.anthropic.fallback = down;
    const sha = h.openPullRequest(401, viewsPr);
    await h.deliver("opened", 401, sha);
    const check = await h.completedCheck(sha);
    expect(h.anthropic.requests).toHaveLength(2);
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "No findings (review incomplete: 1 file not reviewed)" } });
    const summary = check.output.summary;
    expect(summary).toContain("**Review incomplete**: 1 file in `paths` was not reviewed, so this check fails (`onIncomplete: failure`).");
    expect(summary).toContain(`### Not reviewed (1 file)\n\n- \`${VIEWS}\` — not reviewed: the model request failed`);
    expect(summary).toContain("comment `/backend-agent review`");
    expect(summary).toContain("someone with write permission comments `/backend-agent skip <reason>`");
    expect(check.actions).toEqual([expect.objectContaining({ identifier: "rerun" })]);
  });

  it("is neutral instead with `onIncomplete: neutral`, and with the deprecated `onError: neutral` when onIncomplete is unset", async () => {
    for (const [number, config] of [[402, "onIncomplete: neutral\n"], [403, "onError: neutral\n"]] as const) {
      h.anthropic.fallback = down;
      h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", config);
      const sha = h.openPullRequest(number, viewsPr);
      await h.deliver("opened", number, sha);
      const check = await h.completedCheck(sha);
      expect(check).toMatchObject({ conclusion: "neutral", output: { title: "No findings (review incomplete: 1 file not reviewed)" } });
      expect(check.output.summary).toContain("but this check is neutral, which passes a required check (`onIncomplete: neutral`)");
      expect(check.output.summary).toContain(`- \`${VIEWS}\` — not reviewed: the model request failed`);
    }
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "onIncomplete: failure\nonError: neutral\n");
    const sha = h.openPullRequest(404, viewsPr);
    h.anthropic.fallback = down;
    await h.deliver("opened", 404, sha);
    expect((await h.completedCheck(sha)).conclusion).toBe("failure");
  });

  it("fails on a backend file GitHub sends without a patch, while a rename, a mode change and an empty file pass", async () => {
    const big = "backend/reports/export.py";
    const sha = openWithoutPatch(
      405,
      {
        base: { [VIEWS]: VIEWS_BEFORE, [big]: "ROWS = []\n", "backend/old_name.py": "X = 1\n", "backend/run.sh": "echo hi\n" },
        head: { [VIEWS]: VIEWS_AFTER, [big]: Array.from({ length: 50 }, (_, i) => `ROW_${i} = ${i}`).join("\n") + "\n", "backend/app/__init__.py": "" },
        renames: [["backend/old_name.py", "backend/new_name.py"]],
        executable: ["backend/run.sh"],
      },
      big,
    );
    h.anthropic.fallback = noFindings;
    await h.deliver("opened", 405, sha);
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "No findings (review incomplete: 1 file not reviewed)" } });
    expect(check.output.summary).toContain(`### Not reviewed (1 file)\n\n- \`${big}\` — not reviewed: diff too large for GitHub to show`);
    for (const nothingToReview of ["`backend/new_name.py` — renamed without changes", "`backend/run.sh` — mode change only", "`backend/app/__init__.py` — empty file"]) {
      expect(check.output.summary).toContain(`- ${nothingToReview}`);
    }
    expect(h.anthropic.sentText().join("\n")).not.toContain(big);
  });

  it("fails on a binary backend file nobody can read", async () => {
    const sha = h.openPullRequest(406, { base: {}, head: { "backend/payments/model.bin": Buffer.from([0, 1, 2, 0, 255, 0]), [VIEWS]: VIEWS_AFTER } });
    h.anthropic.fallback = noFindings;
    await h.deliver("opened", 406, sha);
    const check = await h.completedCheck(sha);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("- `backend/payments/model.bin` — not reviewed: binary file: no text diff to review");
  });
});

describe("a review that crashes", () => {
  it("fails closed, says the review could not run and offers a re-run and a skip", async () => {
    const sha = h.openPullRequest(413, viewsPr);
    h.github.failNext("GET", /\/pulls\/413\/files$/, 422, undefined, 5);
    await h.deliver("opened", 413, sha);
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "Review could not run (review incomplete)" } });
    expect(check.output.summary).toContain("The review did not finish, so it vouches for no file of this pull request.");
    expect(check.output.summary).toContain("`/backend-agent skip <reason>`");
    expect(h.anthropic.requests).toEqual([]);
  });
});

describe("skip globs skip only the model", () => {
  it("still runs the secret rule on backend/vendor/ and fails per failOn, without sending the file to the model or calling it incomplete", async () => {
    const vendored = "backend/vendor/x.py";
    const sha = h.openPullRequest(407, { base: { [VIEWS]: VIEWS_BEFORE }, head: { [VIEWS]: VIEWS_AFTER, [vendored]: `AWS_ACCESS_KEY_ID = "${KEY_ID}"\nAWS_SECRET_ACCESS_KEY = "${SECRET_KEY}"\n` } });
    h.anthropic.fallback = noFindings;
    await h.deliver("opened", 407, sha);
    const check = await h.completedCheck(sha);

    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toMatch(/^\d+ critical$/);
    const [review] = h.github.reviews(OWNER, REPO, 407);
    expect(review!.comments).toEqual(expect.arrayContaining([expect.objectContaining({ path: vendored, line: 2, body: expect.stringContaining("rule `secrets/known-token`") })]));
    expect(check.output.summary).toContain(`- \`${vendored}\` — vendored or built files`);
    expect(check.output.summary).not.toContain("Review incomplete");
    const sent = h.anthropic.sentText().join("\n");
    expect(sent).toContain(VIEWS);
    expect(sent).not.toContain(vendored);
    expect(sent + h.github.requests.map((r) => r.rawBody).join("\n")).not.toContain(SECRET_KEY);
  });

  it("reviews a PR that only touches skipped files with the rules alone, and passes it when they find nothing", async () => {
    const sha = h.openPullRequest(408, { base: {}, head: { "backend/vendor/lib.py": "def f():\n    return 1\n", "backend/api/generated/models_pb2.py": "X = 1\n" } });
    await h.deliver("opened", 408, sha);
    const check = await h.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "success", output: { title: "No findings" } });
    expect(check.output.summary).toContain("the rules and the secret scan read them too");
    expect(h.anthropic.requests).toEqual([]);
  });
});

describe("`/backend-agent skip <reason>`", () => {
  it("passes an incomplete check for a writer with a new success run recording who, why and what went unreviewed; read and triage users are refused", async () => {
    h.anthropic.fallback = down;
    const sha = h.openPullRequest(409, viewsPr);
    await h.deliver("opened", 409, sha);
    const failed = await h.completedCheck(sha);
    expect(failed.conclusion).toBe("failure");

    await h.comment(409, "/backend-agent skip the model is down", { user: "rita" });
    await h.comment(409, "/backend-agent skip please", { user: "tina" });
    await h.idle();
    expect(h.botComments(409).map((c) => c.body)).toEqual([
      expect.stringMatching(/^> \/backend-agent skip the model is down\n\nSorry @rita, only people with admin, maintain or write permission on this repository can run `\/backend-agent skip`;/),
      expect.stringContaining("Sorry @tina"),
    ]);
    expect(checksOf(409)).toHaveLength(1);

    await h.comment(409, "/backend-agent skip", { user: "maya" });
    await h.idle();
    expect(h.botComments(409).at(-1)!.body).toContain("Say why: `/backend-agent skip <reason>`");
    expect(checksOf(409)).toHaveLength(1);

    const { id } = await h.comment(409, "/backend-agent skip Anthropic outage; @acme/security reviewed views.py by hand <!-- x --> `<img src=y>`", { user: "maya" });
    await h.idle();
    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    const runs = checksOf(409);
    expect(runs).toHaveLength(2);
    const skipped = runs[1]!;
    expect(skipped).toMatchObject({ name: "backend-agent", head_sha: sha, status: "completed", conclusion: "success", output: { title: "Skipped by maya: review incomplete" } });
    const summary = skipped.output.summary;
    expect(summary).toContain(`**Skipped** by \`maya\` (write permission): this check passes for \`${sha}\` without a complete review.`);
    // The reason is inline code: the mention and the marker are inert text.
    expect(summary).toContain("**Reason:** `Anthropic outage; @acme/security reviewed views.py by hand <!-- x --> '<img src=y>'`");
    expect(summary).toContain(`### Not reviewed (1 file)\n\n- \`${VIEWS}\` — not reviewed: the model request failed`);
    expect(summary).not.toContain("@maya");
    expect(skipped.actions).toEqual([expect.objectContaining({ identifier: "rerun" })]);
    expect(h.botComments(409).at(-1)!.body).toContain(`The \`backend-agent\` check on \`${sha.slice(0, 7)}\` now passes, skipped by \`maya\``);
    // The failed run stays as it was: the record of what went unreviewed.
    expect(runs[0]).toMatchObject({ id: failed.id, conclusion: "failure" });

    // A new push is reviewed as usual.
    const next = h.openPullRequest(409, { base: viewsPr.base, head: { [VIEWS]: VIEWS_AFTER + "# more\n" } });
    await h.deliver("synchronize", 409, next);
    expect(await h.completedCheck(next)).toMatchObject({ conclusion: "failure", output: { title: "No findings (review incomplete: 1 file not reviewed)" } });
  });

  it("does not pass a check that fails on findings, nor one that already passes", async () => {
    const sha = h.openPullRequest(410, viewsPr);
    h.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [modelFinding({ line: lineOf(VIEWS_AFTER, "objects.all()"), severity: "critical", title: "Cross-tenant read" })] } });
    await h.deliver("opened", 410, sha);
    expect(await h.completedCheck(sha)).toMatchObject({ conclusion: "failure", output: { title: "1 critical" } });
    await h.comment(410, "/backend-agent skip ship it", { user: "maya" });
    await h.idle();
    expect(h.botComments(410).at(-1)!.body).toContain("fails on findings (1 critical at `failOn: high`), not only on files that went unreviewed");
    expect(checksOf(410)).toHaveLength(1);

    const clean = h.openPullRequest(411, { base: {}, head: { "backend/ok.py": "X = 1\n" } });
    h.anthropic.fallback = noFindings;
    await h.deliver("opened", 411, clean);
    expect((await h.completedCheck(clean)).conclusion).toBe("success");
    await h.comment(411, "/backend-agent skip why not", { user: "maya" });
    await h.idle();
    expect(h.botComments(411).at(-1)!.body).toContain("already passes: there is nothing to skip");
    expect(checksOf(411)).toHaveLength(1);
  });
});

describe("rules-only mode (no ANTHROPIC_API_KEY on the server)", () => {
  let rulesOnly: Harness;
  beforeAll(async () => {
    rulesOnly = await startHarness({ ANTHROPIC_API_KEY: undefined });
  });
  afterAll(() => rulesOnly.stop());

  it("is the operator's choice, not an incomplete review: the rules decide, and the summary says the model did not run", async () => {
    const sha = rulesOnly.openPullRequest(412, viewsPr);
    await rulesOnly.deliver("opened", 412, sha);
    const check = await rulesOnly.completedCheck(sha);
    expect(check).toMatchObject({ conclusion: "success", output: { title: "No findings" } });
    expect(check.output.summary).toContain("Rules only: ANTHROPIC_API_KEY is not set on the server, so the model reviewed nothing");
    expect(rulesOnly.anthropic.requests).toEqual([]);
  });
});
