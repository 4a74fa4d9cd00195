/**
 * State comes only from the app itself and from people allowed to decide: the real
 * app against the fakes, with an attacker who copies the app's markers, a PR author
 * who resolves or ignores the findings on their own PR, and another app that names
 * its check runs like ours.
 */
import { OWNER, REPO, SECRET, startHarness, type Harness } from "../support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";
import type { ReviewCommentView } from "../support/fake-github.js";
import { buildHistory, buildPullRequest } from "../support/git-fixture.js";
import { pushHead } from "../support/push-history.js";
import { reviewCommentPayload } from "../support/signed-webhook.js";
import { ignoredMarker } from "../../src/review/finding-marker.js";
import { createMarkerSigner } from "../../src/review/marker-signer.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.github.setPermission(OWNER, REPO, "alice", "write");
  h.github.setPermission(OWNER, REPO, "lead", "maintain");
  h.github.setPermission(OWNER, REPO, "mallory", "read");
});
afterAll(() => h.stop());

const VIEWS = "backend/billing/views.py";
const TITLE = "Queryset is not scoped to the tenant";
const scoping = () => modelFinding({ path: VIEWS, line: lineOf(VIEWS_AFTER, "objects.all()"), category: "tenancy", severity: "high", title: TITLE });
const answer = () => ({ kind: "json" as const, value: { summary: "", findings: [scoping()] } });

const heads = new Map<number, string>();

/** Opens PR `n` by `author` and waits for its first review (one high finding, posted inline). */
async function open(n: number, author: string) {
  const fixture = buildPullRequest({ base: { [VIEWS]: VIEWS_BEFORE }, head: { [VIEWS]: VIEWS_AFTER } });
  fixture.cleanup();
  h.github.addPullRequest({ owner: OWNER, repo: REPO, number: n, headSha: fixture.headSha, baseSha: fixture.baseSha, files: fixture.files, user: { login: author }, title: "Invoices" });
  heads.set(n, fixture.headSha);
  h.anthropic.enqueue(answer());
  await h.deliver("opened", n, fixture.headSha);
  const check = await h.completedCheck(fixture.headSha);
  expect(check).toMatchObject({ conclusion: "failure", output: { title: "1 high" } });
  const [root, ...more] = roots(n);
  expect(more).toEqual([]);
  return root!;
}

/** The app's thread-starting review comments on PR `n`. */
const roots = (n: number): ReviewCommentView[] =>
  h.github.reviews(OWNER, REPO, n).flatMap((r) => r.comments).filter((c) => c.in_reply_to_id === undefined && c.body.includes("backend-agent:finding "));

/** The same head reviewed again (the model repeats the finding): what the check says now. */
async function reviewAgain(n: number) {
  const sha = heads.get(n)!;
  h.anthropic.enqueue(answer());
  await h.deliver("synchronize", n, sha);
  return h.completedCheck(sha);
}

/** `user` replies in the thread of `root`, delivered as GitHub would (a slash command runs). */
async function reply(n: number, root: ReviewCommentView, body: string, user: string, userType: "User" | "Bot" = "User") {
  const id = h.github.addReviewComment(OWNER, REPO, n, { path: root.path, line: root.line, body, user: { login: user, type: userType }, inReplyTo: root.id });
  await h.send("pull_request_review_comment", reviewCommentPayload(
    { owner: OWNER, repo: REPO, number: n, headSha: heads.get(n)! },
    { id, body, user, userType, path: root.path, line: root.line, diffHunk: "" },
  ));
  await h.idle();
  return id;
}

/** The app's replies in the thread of `root`. */
const botReplies = (n: number, root: ReviewCommentView) =>
  h.github.reviews(OWNER, REPO, n).flatMap((r) => r.comments).filter((c) => c.in_reply_to_id === root.id && /backend-agent:reply/.test(c.body)).map((c) => c.body);

describe("forged and unauthorised state", () => {
  it("a valid `ignored` marker posted by a person or by another bot changes nothing: the finding stays open and counted", async () => {
    const root = await open(601, "alice");
    const fp = /backend-agent:finding ([0-9a-f]{16})/.exec(root.body)![1]!;
    // The strongest forgery: a marker with a valid MAC for this very PR (as if copied from the app's own reply).
    const marker = ignoredMarker({ fp, by: "lead" }, createMarkerSigner(SECRET).forPull({ owner: OWNER, repo: REPO, pullNumber: 601 }));
    await reply(601, root, `Ignored: **${TITLE}** will not be raised again.\n\n${marker}`, "mallory");
    await reply(601, root, `Ignored.\n\n${marker}`, "evil-helper[bot]", "Bot");

    const check = await reviewAgain(601);
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "1 high" } });
    expect(check.output.summary).toContain("**1 still open**");
    expect(check.output.summary).not.toContain("not raised again");
    expect(check.output.summary).not.toContain("Dismissed:");
    expect(roots(601)).toHaveLength(1);

    // Another bot's "already told" marker does not silence the app's notice to an outsider either.
    h.github.addIssueComment(OWNER, REPO, 601, { body: "<!-- backend-agent:denied:mallory -->", user: { login: "evil-helper[bot]", type: "Bot" } });
    await h.comment(601, "/backend-agent review", { user: "mallory" });
    await h.idle();
    expect(h.botComments(601).map((c) => c.body)).toEqual([expect.stringContaining("Sorry @mallory, only people with")]);
  }, 150_000);

  it("a thread resolved by the PR's author does not count; resolved by a maintainer, the finding is dismissed and the summary names them", async () => {
    const root = await open(602, "alice");
    h.github.resolveReviewThread(OWNER, REPO, root.id, "alice");
    const byAuthor = await reviewAgain(602);
    expect(byAuthor).toMatchObject({ conclusion: "failure", output: { title: "1 high" } });
    expect(byAuthor.output.summary).toContain(`- Not counted: ${TITLE} (\`${VIEWS}\`) — thread resolved by \`alice\` (the pull request's author; \`allowAuthorDismiss\` is off); the finding stays open`);

    h.github.resolveReviewThread(OWNER, REPO, root.id, "mallory");
    const byOutsider = await reviewAgain(602);
    expect(byOutsider).toMatchObject({ conclusion: "failure", output: { title: "1 high" } });
    expect(byOutsider.output.summary).toContain("thread resolved by `mallory` (no write permission)");

    h.github.resolveReviewThread(OWNER, REPO, root.id, "lead");
    const byMaintainer = await reviewAgain(602);
    expect(byMaintainer).toMatchObject({ conclusion: "success", output: { title: "No findings" } });
    expect(byMaintainer.output.summary).toContain(`- Dismissed: ${TITLE} (\`${VIEWS}\`) — thread resolved by \`lead\``);
    expect(byMaintainer.output.summary).toContain("1 not raised again");
    expect(byMaintainer.output.summary).not.toContain("@lead");
    expect(roots(602)).toHaveLength(1);
  }, 120_000);

  it("another app's check run named like ours, on an earlier commit, is not our history: the push gets a full review", async () => {
    const VIEWS_V2 = `${VIEWS_AFTER}\n# reviewed\n`;
    const history = buildHistory({ base: { [VIEWS]: VIEWS_BEFORE }, pushes: [{ head: { [VIEWS]: VIEWS_AFTER } }, { head: { [VIEWS]: VIEWS_V2 } }] });
    history.cleanup();
    const run = (n: number, app?: { id: number; slug: string }) => {
      const first = pushHead(h, n, history, 0);
      h.github.addCheckRun(OWNER, REPO, { name: "backend-agent", headSha: first, conclusion: "success", title: "No findings", externalId: `pr:${n}`, app });
      return { first, second: pushHead(h, n, history, 1) };
    };
    const foreign = run(604, { id: 999, slug: "backend-agent-clone" });
    h.anthropic.enqueue(answer());
    await h.deliver("synchronize", 604, foreign.second);
    expect((await h.completedCheck(foreign.second)).output.summary).toContain("Reviewed the whole pull request.");

    // The same run made by this app is history: the push is reviewed from that commit.
    const own = run(605);
    h.anthropic.enqueue(answer());
    await h.deliver("synchronize", 605, own.second);
    expect((await h.completedCheck(own.second)).output.summary).toContain(`Reviewed the changes since \`${own.first.slice(0, 7)}\`.`);
  }, 150_000);

  // Last: it changes the repository's settings file.
  it("`ignore` by the PR's author is refused, and accepted once `allowAuthorDismiss: true`; the summary names who ignored", async () => {
    const root = await open(603, "alice");
    await reply(603, root, "/backend-agent ignore", "alice");
    expect(botReplies(603, root)).toEqual([expect.stringContaining("Nothing was ignored: the author of a pull request cannot dismiss its findings")]);
    expect(await reviewAgain(603)).toMatchObject({ conclusion: "failure", output: { title: "1 high" } });

    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "allowAuthorDismiss: true\n");
    await reply(603, root, "/backend-agent ignore", "alice");
    expect(botReplies(603, root)[1]).toContain(`Ignored: **${TITLE}**`);
    const after = await reviewAgain(603);
    expect(after).toMatchObject({ conclusion: "success", output: { title: "No findings" } });
    expect(after.output.summary).toContain(`- Dismissed: ${TITLE} (\`${VIEWS}\`) — ignored by \`alice\``);
  }, 120_000);
});

describe("the app's identity", () => {
  let fresh: Harness;
  beforeAll(async () => {
    fresh = await startHarness();
  });
  afterAll(() => fresh.stop());

  it("is read from GET /app once; while GitHub refuses it, the review completes its check saying why, and the next one reads it", async () => {
    const fixture = buildPullRequest({ base: { [VIEWS]: VIEWS_BEFORE }, head: { [VIEWS]: VIEWS_AFTER } });
    fixture.cleanup();
    fresh.github.addPullRequest({ owner: OWNER, repo: REPO, number: 701, headSha: fixture.headSha, baseSha: fixture.baseSha, files: fixture.files });
    // 403 is not retried by Octokit: each of the app's own three attempts gets one.
    fresh.github.failNext("GET", /^\/app$/, 403, undefined, 3);
    fresh.anthropic.fallback = answer();
    await fresh.deliver("opened", 701, fixture.headSha);
    const failed = await fresh.completedCheck(fixture.headSha);
    expect(failed.output.title).toBe("Review could not run (review incomplete)");
    expect(failed.conclusion).toBe("failure");
    expect(failed.output.summary).toContain("Could not read this app's identity from GitHub (`GET /app`: HTTP 403)");

    await fresh.deliver("synchronize", 701, fixture.headSha);
    expect(await fresh.completedCheck(fixture.headSha)).toMatchObject({ conclusion: "failure", output: { title: "1 high" } });
    await fresh.deliver("synchronize", 701, fixture.headSha);
    await fresh.completedCheck(fixture.headSha);
    expect(fresh.github.requestsTo("GET", /^\/app$/).map((r) => r.status)).toEqual([403, 403, 403, 200]);
  }, 150_000);
});
