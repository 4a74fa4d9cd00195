/**
 * The fake GitHub must refuse what GitHub refuses, or integration tests prove
 * nothing. These tests drive it with the real @octokit/rest client (and
 * Probot's Octokit for `config.get`) over loopback HTTP.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { Probot, ProbotOctokit } from "probot";
import { FakeGitHub, type FakeFile } from "../support/fake-github.js";

const OWNER = "acme";
const REPO = "api";
const PR = 7;
const HEAD = "1111111111111111111111111111111111111111";
const BASE = "2222222222222222222222222222222222222222";
/** Any three-part token: the fake checks a JWT's shape, it cannot know the app's key. */
const FAKE_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxIn0.c2lnbmF0dXJl";

/**
 * `git diff` of one file between two versions, cut like GitHub's `patch`
 * (from the first `@@`, no trailing newline).
 */
function gitPatch(before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-github-"));
  // Inherited GIT_* variables (git hooks) would point git at the project's repository.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_")));
  const git = (...args: string[]): string =>
    execFileSync("git", ["-c", "core.autocrlf=false", "-c", "diff.noprefix=false", ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { ...env, GIT_CONFIG_NOSYSTEM: "1", HOME: dir },
    });
  try {
    git("init", "-q");
    writeFileSync(join(dir, "file"), before);
    git("add", "file");
    writeFileSync(join(dir, "file"), after);
    const diff = git("diff", "--no-color", "--no-ext-diff", "-U3", "--", "file");
    return diff.slice(diff.indexOf("@@")).replace(/\n$/, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BEFORE = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
const AFTER = [...BEFORE.slice(0, 2), "line 3 changed", ...BEFORE.slice(3, 25), "added A", "added B", ...BEFORE.slice(25)];
/**
 * Two hunks: `@@ -1,6 +1,6 @@` (old 3 deleted, new 3 added) and `@@ -23,6 +23,8 @@`
 * (new 26-27 added between context lines; old 26-28 = new 28-30).
 */
const VIEWS_PATCH = gitPatch(`${BEFORE.join("\n")}\n`, `${AFTER.join("\n")}\n`);

function viewsFile(): FakeFile {
  return { filename: "app/views.py", status: "modified", additions: 3, deletions: 1, changes: 4, patch: VIEWS_PATCH };
}

function manyFiles(n: number): FakeFile[] {
  return Array.from({ length: n }, (_, i) => ({
    filename: `app/f${String(i).padStart(4, "0")}.py`,
    status: "added" as const,
    additions: 1,
    deletions: 0,
    changes: 1,
    patch: "@@ -0,0 +1 @@\n+x = 1",
  }));
}

/** Octokit logs every 4xx with console.error; these tests provoke them on purpose. */
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A call with a body the typed client would refuse to compile (a wrong enum, a
 * missing field): the point is to see GitHub's answer to it.
 */
function untyped(route: string, parameters: Record<string, unknown>): Promise<unknown> {
  return octokit.request(route, parameters);
}

/** Status and body of a failed Octokit call; fails the test if the call succeeded. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error: unknown) {
    if (typeof error === "object" && error !== null && "status" in error && "response" in error) {
      const { status, response } = error as { status: number; response?: { data?: unknown } };
      return { status, data: (response?.data ?? {}) as Record<string, unknown> };
    }
    throw error;
  }
  throw new Error("expected the request to fail");
}

let github: FakeGitHub;
let octokit: Octokit;
let token: string;

beforeEach(async () => {
  github = await FakeGitHub.start();
  github.addPullRequest({ owner: OWNER, repo: REPO, number: PR, headSha: HEAD, baseSha: BASE, headRef: "feature", files: [viewsFile()] });
  const app = new Octokit({ baseUrl: `${github.url}/api/v3`, auth: FAKE_JWT, log: quiet });
  token = (await app.rest.apps.createInstallationAccessToken({ installation_id: 1 })).data.token;
  octokit = new Octokit({ baseUrl: `${github.url}/api/v3`, auth: token, log: quiet });
});

afterEach(async () => {
  await github.stop();
});

describe("authentication", () => {
  it("issues installation tokens to a JWT and refuses calls without one", async () => {
    expect(token).toMatch(/^ghs_/);
    const anonymous = new Octokit({ baseUrl: `${github.url}/api/v3`, log: quiet });
    const denied = await failure(anonymous.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: PR }));
    expect(denied.status).toBe(401);
    expect(denied.data.message).toBe("Bad credentials");
    const forged = new Octokit({ baseUrl: `${github.url}/api/v3`, auth: "ghs_notissued", log: quiet });
    expect((await failure(forged.rest.repos.get({ owner: OWNER, repo: REPO }))).status).toBe(401);
    const [tokenCall] = github.requestsTo("POST", /^\/app\/installations\/1\/access_tokens$/);
    expect(tokenCall?.headers.authorization).toBe(`bearer ${FAKE_JWT}`);
  });
});

describe("Probot's app authentication", () => {
  it("lets Probot sign a JWT, get an installation token and call the API with it", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const probot = new Probot({ appId: 1, privateKey, baseUrl: `${github.url}/api/v3`, logLevel: "fatal" });
    const installation = await probot.auth(1);
    const pr = await installation.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: PR });
    expect(pr.data.head.sha).toBe(HEAD);
    expect(github.requestsTo("POST", /access_tokens$/).at(-1)?.headers.authorization).toMatch(/^bearer ey/);
    expect(github.requestsTo("GET", /\/pulls\/7$/)[0]?.headers.authorization).toMatch(/^token ghs_fake/);
  });

  it("with `app` set, takes only a JWT signed by that App's key for its ID, as GitHub does", async () => {
    const pair = () => generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const own = pair();
    const strict = await FakeGitHub.start({ app: { id: 1, publicKey: own.publicKey } });
    try {
      const appAs = (appId: number, privateKey: string) => new Probot({ appId, privateKey, baseUrl: `${strict.url}/api/v3`, logLevel: "fatal" }).auth();
      const me = await (await appAs(1, own.privateKey)).rest.apps.getAuthenticated();
      expect(me.data?.slug).toBe("backend-agent");
      for (const [appId, key] of [[2, own.privateKey], [1, pair().privateKey]] as const) {
        const refused = await failure((await appAs(appId, key)).rest.apps.getAuthenticated());
        expect(refused.status).toBe(401);
        expect(refused.data.message).toBe("A JSON web token could not be decoded");
      }
    } finally {
      await strict.stop();
    }
  });
});

describe("pull request files", () => {
  it("pages 250 files in 3 requests that octokit.paginate follows", async () => {
    github.addPullRequest({ owner: OWNER, repo: REPO, number: 8, headSha: HEAD, baseSha: BASE, files: manyFiles(250) });
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: OWNER, repo: REPO, pull_number: 8, per_page: 100 });
    expect(files).toHaveLength(250);
    expect(new Set(files.map((f) => f.filename)).size).toBe(250);
    const calls = github.requestsTo("GET", /\/pulls\/8\/files$/);
    expect(calls.map((c) => c.query.page ?? "1")).toEqual(["1", "2", "3"]);
  });

  it("lists at most 3,000 files, like GitHub", async () => {
    github.addPullRequest({ owner: OWNER, repo: REPO, number: 9, headSha: HEAD, baseSha: BASE, files: manyFiles(3005) });
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: OWNER, repo: REPO, pull_number: 9, per_page: 100 });
    expect(files).toHaveLength(3000);
    const pr = await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 9 });
    expect(pr.data.changed_files).toBe(3005);
    // The whole-PR diff gives up past 300 files: apps must use the per-file patches.
    const diff = await failure(octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 9, mediaType: { format: "diff" } }));
    expect(diff.status).toBe(406);
  });

  it("answers 404 for an unknown PR and records calls to endpoints it does not know", async () => {
    expect((await failure(octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 99 }))).status).toBe(404);
    expect(github.unexpectedRequests()).toHaveLength(0);
    expect((await failure(octokit.rest.repos.listBranches({ owner: OWNER, repo: REPO }))).status).toBe(404);
    expect(github.unexpectedRequests().map((r) => `${r.method} ${r.path}`)).toEqual(["GET /repos/acme/api/branches"]);
  });
});

describe("reviews", () => {
  const review = (comments: Array<Record<string, unknown>>) =>
    untyped("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", {
      owner: OWNER,
      repo: REPO,
      pull_number: PR,
      commit_id: HEAD,
      event: "COMMENT",
      body: "review",
      comments,
    });

  it("uses a patch with the two hunks git produced", () => {
    const headers = VIEWS_PATCH.split("\n").filter((l) => l.startsWith("@@"));
    expect(headers).toHaveLength(2);
    expect(headers[0]).toMatch(/^@@ -1,6 \+1,6 @@/);
    expect(headers[1]).toMatch(/^@@ -23,6 \+23,8 @@/);
  });

  it("rejects the whole review when one comment is off the diff, storing nothing", async () => {
    const res = await failure(
      review([
        { path: "app/views.py", line: 26, side: "RIGHT", body: "fine" },
        { path: "app/views.py", line: 15, side: "RIGHT", body: "off the diff" },
      ]),
    );
    expect(res.status).toBe(422);
    expect(res.data.errors).toEqual(["Line could not be resolved"]);
    expect(github.reviews(OWNER, REPO, PR)).toEqual([]);
    const listed = await octokit.rest.pulls.listReviewComments({ owner: OWNER, repo: REPO, pull_number: PR });
    expect(listed.data).toEqual([]);
  });

  it("accepts a LEFT comment on a deleted line and a multi-line RIGHT range", async () => {
    const res = await octokit.rest.pulls.createReview({
      owner: OWNER,
      repo: REPO,
      pull_number: PR,
      commit_id: HEAD,
      event: "COMMENT",
      body: "review",
      comments: [
        { path: "app/views.py", line: 3, side: "LEFT", body: "why remove this?" },
        { path: "app/views.py", start_line: 25, start_side: "RIGHT", line: 27, side: "RIGHT", body: "range" },
        { path: "app/views.py", line: 28, side: "LEFT", body: "context line, old numbering" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.data.state).toBe("COMMENTED");
    const [stored] = github.reviews(OWNER, REPO, PR);
    expect(stored?.event).toBe("COMMENT");
    expect(stored?.commit_id).toBe(HEAD);
    expect(stored?.comments.map(({ path, line, side, start_line }) => ({ path, line, side, start_line }))).toEqual([
      { path: "app/views.py", line: 3, side: "LEFT", start_line: undefined },
      { path: "app/views.py", line: 27, side: "RIGHT", start_line: 25 },
      { path: "app/views.py", line: 28, side: "LEFT", start_line: undefined },
    ]);
    const listed = await octokit.rest.pulls.listReviewComments({ owner: OWNER, repo: REPO, pull_number: PR });
    expect(listed.data[1]).toMatchObject({ start_line: 25, line: 27, side: "RIGHT", user: { login: "backend-agent[bot]", type: "Bot" } });
    expect(listed.data[1]?.diff_hunk).toMatch(/^@@ -23,6 \+23,8 @@[\s\S]*\n\+added B$/);
  });

  it("rejects a start_line in another hunk, a start_line not before the line, and lines outside the hunks", async () => {
    const otherHunk = await failure(review([{ path: "app/views.py", start_line: 3, line: 26, body: "x" }]));
    expect(otherHunk.status).toBe(422);
    expect(otherHunk.data.errors).toEqual(["Pull request review thread start line must be part of the same hunk as the line."]);
    const notBefore = await failure(review([{ path: "app/views.py", start_line: 26, line: 26, body: "x" }]));
    expect(notBefore.status).toBe(422);
    expect(notBefore.data.errors).toEqual(["Pull request review thread start line must precede the end line."]);
    // Hunk 2 spans old lines 23-28 and new lines 23-30.
    const pastRight = await failure(review([{ path: "app/views.py", line: 31, side: "RIGHT", body: "x" }]));
    expect(pastRight.data.errors).toEqual(["Line could not be resolved"]);
    const pastLeft = await failure(review([{ path: "app/views.py", line: 29, side: "LEFT", body: "x" }]));
    expect(pastLeft.data.errors).toEqual(["Line could not be resolved"]);
    const startOffSide = await failure(review([{ path: "app/views.py", start_line: 22, line: 26, body: "x" }]));
    expect(startOffSide.status).toBe(422);
    expect(github.reviews(OWNER, REPO, PR)).toEqual([]);
  });

  it("rejects a path outside the PR, an unknown event and an over-long comment", async () => {
    const path = await failure(review([{ path: "app/models.py", line: 1, body: "x" }]));
    expect(path.data.errors).toEqual(["Path could not be resolved"]);
    const event = await failure(
      untyped("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { owner: OWNER, repo: REPO, pull_number: PR, event: "APPROVED", body: "x" }),
    );
    expect(event.status).toBe(422);
    const long = await failure(review([{ path: "app/views.py", line: 26, body: "x".repeat(65_537) }]));
    expect(long.status).toBe(422);
    const noBody = await failure(
      octokit.rest.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: PR, event: "REQUEST_CHANGES" }),
    );
    expect(noBody.status).toBe(422);
    expect(github.reviews(OWNER, REPO, PR)).toEqual([]);
  });
});

describe("review edge cases", () => {
  it("numbers lines and hunks right around git's \"No newline at end of file\" marker", async () => {
    // Last line changed in a file without a trailing newline: git marks both sides.
    const patch = gitPatch("a\nb\nc", "a\nb\nC\nD");
    expect(patch.match(/\\ No newline at end of file/g)).toHaveLength(2);
    github.addPullRequest({
      owner: OWNER,
      repo: REPO,
      number: 11,
      headSha: HEAD,
      baseSha: BASE,
      files: [{ filename: "end.py", status: "modified", additions: 2, deletions: 1, changes: 3, patch }],
    });
    const post = (line: number, side: "LEFT" | "RIGHT") =>
      octokit.rest.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 11, event: "COMMENT", body: "r", comments: [{ path: "end.py", line, side, body: "x" }] });
    expect((await post(4, "RIGHT")).status).toBe(200);
    expect((await post(3, "LEFT")).status).toBe(200);
    expect((await failure(post(5, "RIGHT"))).status).toBe(422);
    expect((await failure(post(4, "LEFT"))).status).toBe(422);
    await post(3, "RIGHT");
    const listed = await octokit.rest.pulls.listReviewComments({ owner: OWNER, repo: REPO, pull_number: 11 });
    expect(listed.data.at(-1)?.diff_hunk).toBe("@@ -1,3 +1,4 @@\n a\n b\n-c\n\\ No newline at end of file\n+C");
  });

  it("has no LEFT side for an added file and no lines at all for a binary one", async () => {
    github.addPullRequest({
      owner: OWNER,
      repo: REPO,
      number: 12,
      headSha: HEAD,
      baseSha: BASE,
      files: [
        { filename: "new.py", status: "added", additions: 2, deletions: 0, changes: 2, patch: gitPatch("", "x = 1\ny = 2\n") },
        { filename: "logo.png", status: "added", additions: 0, deletions: 0, changes: 0 },
      ],
    });
    const post = (path: string, line: number, side: "LEFT" | "RIGHT") =>
      octokit.rest.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 12, event: "COMMENT", body: "r", comments: [{ path, line, side, body: "x" }] });
    expect((await post("new.py", 2, "RIGHT")).status).toBe(200);
    expect((await failure(post("new.py", 1, "LEFT"))).status).toBe(422);
    expect((await failure(post("logo.png", 1, "RIGHT"))).status).toBe(422);
  });

  it("threads replies under the root comment", async () => {
    const created = await octokit.rest.pulls.createReview({
      owner: OWNER,
      repo: REPO,
      pull_number: PR,
      event: "COMMENT",
      body: "r",
      comments: [{ path: "app/views.py", line: 26, body: "root" }],
    });
    const [root] = github.reviews(OWNER, REPO, PR)[0]?.comments ?? [];
    expect(root?.id).toBeDefined();
    const reply = await octokit.rest.pulls.createReplyForReviewComment({ owner: OWNER, repo: REPO, pull_number: PR, comment_id: root?.id ?? 0, body: "fixed?" });
    expect(reply.status).toBe(201);
    expect(reply.data).toMatchObject({ in_reply_to_id: root?.id, path: "app/views.py", line: 26 });
    expect(created.data.id).not.toBe(reply.data.pull_request_review_id);
    const missing = await failure(octokit.rest.pulls.createReplyForReviewComment({ owner: OWNER, repo: REPO, pull_number: PR, comment_id: 1, body: "x" }));
    expect(missing.status).toBe(404);
  });
});

describe("check runs", () => {
  const annotations = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({
      path: "app/views.py",
      start_line: 3,
      end_line: 3,
      annotation_level: "warning" as const,
      message: `finding ${from + i}`,
    }));

  it("refuses 51 annotations in one request and appends 50 + 50 across PATCHes", async () => {
    const tooMany = await failure(
      octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "backend-agent", head_sha: HEAD, output: { title: "t", summary: "s", annotations: annotations(51) } }),
    );
    expect(tooMany.status).toBe(422);
    expect(tooMany.data.message).toBe("Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied.");
    expect(github.checkRuns(OWNER, REPO)).toEqual([]);

    const created = await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "backend-agent", head_sha: HEAD, status: "in_progress" });
    expect(created.status).toBe(201);
    const id = created.data.id;
    await octokit.rest.checks.update({ owner: OWNER, repo: REPO, check_run_id: id, output: { title: "t", summary: "s", annotations: annotations(50) } });
    await octokit.rest.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: id,
      conclusion: "failure",
      output: { title: "t", summary: "done", annotations: annotations(50, 50) },
    });
    const [run] = github.checkRuns(OWNER, REPO);
    expect(run?.annotations).toHaveLength(100);
    expect(run?.annotations[99]?.message).toBe("finding 99");
    // Setting a conclusion completes the run.
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", output: { summary: "done" } });
    const listed = await octokit.paginate(octokit.rest.checks.listAnnotations, { owner: OWNER, repo: REPO, check_run_id: id, per_page: 100 });
    expect(listed).toHaveLength(100);
  });

  it("limits summary to 65,535 characters and bytes", async () => {
    const create = (summary: string) =>
      octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "backend-agent", head_sha: HEAD, output: { title: "t", summary } });
    const long = await failure(create("x".repeat(65_536)));
    expect(long.status).toBe(422);
    expect(long.data.message).toBe("Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.");
    const emoji = await failure(create("🔒".repeat(20_000)));
    expect(emoji.status).toBe(422);
    expect(emoji.data.errors).toEqual([
      { resource: "CheckRun", code: "custom", field: "summary", message: "summary exceeds a maximum bytesize of 65535" },
    ]);
    expect((await create("x".repeat(65_535))).status).toBe(201);
  });

  it("requires a conclusion to complete, a title with the summary, and known commits", async () => {
    const noConclusion = await failure(
      octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: OWNER, repo: REPO, name: "backend-agent", head_sha: HEAD, status: "completed" }),
    );
    expect(noConclusion.data.message).toBe('Invalid request.\n\n"conclusion" wasn\'t supplied.');
    const noTitle = await failure(
      untyped("POST /repos/{owner}/{repo}/check-runs", { owner: OWNER, repo: REPO, name: "backend-agent", head_sha: HEAD, output: { summary: "s" } }),
    );
    expect(noTitle.status).toBe(422);
    const unknownSha = await failure(octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "backend-agent", head_sha: "f".repeat(40) }));
    expect(unknownSha.data.message).toBe(`No commit found for SHA: ${"f".repeat(40)}`);
    const actions = await failure(
      octokit.rest.checks.create({
        owner: OWNER,
        repo: REPO,
        name: "backend-agent",
        head_sha: HEAD,
        actions: [{ label: "Re-run the security review", description: "d", identifier: "rerun" }],
      }),
    );
    expect(actions.data.message).toBe("Invalid request.\n\nOnly 20 characters are allowed; 26 were supplied.");
  });

  it("lists the latest run per name for a commit", async () => {
    await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "backend-agent", head_sha: HEAD, conclusion: "neutral" });
    const second = await octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "backend-agent", head_sha: HEAD });
    const res = await octokit.rest.checks.listForRef({ owner: OWNER, repo: REPO, ref: HEAD, check_name: "backend-agent" });
    expect(res.data.total_count).toBe(1);
    expect(res.data.check_runs[0]?.id).toBe(second.data.id);
    expect(res.data.check_runs[0]?.pull_requests[0]?.number).toBe(PR);
  });
});

describe("labels", () => {
  it("refuses a duplicate label, case-insensitively", async () => {
    const first = await octokit.rest.issues.createLabel({ owner: OWNER, repo: REPO, name: "security: high", color: "d93f0b", description: "High" });
    expect(first.status).toBe(201);
    const dup = await failure(octokit.rest.issues.createLabel({ owner: OWNER, repo: REPO, name: "Security: High", color: "d93f0b" }));
    expect(dup.status).toBe(422);
    expect(dup.data.message).toBe("Validation Failed");
    expect(dup.data.errors).toEqual([{ resource: "Label", code: "already_exists", field: "name" }]);
    const badColor = await failure(octokit.rest.issues.createLabel({ owner: OWNER, repo: REPO, name: "x", color: "#d93f0b" }));
    expect(badColor.status).toBe(422);
    expect((await octokit.rest.issues.getLabel({ owner: OWNER, repo: REPO, name: "security: high" })).data.color).toBe("d93f0b");
    expect((await failure(octokit.rest.issues.getLabel({ owner: OWNER, repo: REPO, name: "security: low" }))).status).toBe(404);
  });

  it("adds, replaces and removes labels on the PR, creating unknown ones like GitHub", async () => {
    await octokit.rest.issues.addLabels({ owner: OWNER, repo: REPO, issue_number: PR, labels: ["security: critical", "needs review"] });
    expect(github.issueLabels(OWNER, REPO, PR)).toEqual(["security: critical", "needs review"]);
    expect(github.labels(OWNER, REPO)).toContainEqual({ name: "security: critical", color: "ededed", description: null });
    await octokit.rest.issues.removeLabel({ owner: OWNER, repo: REPO, issue_number: PR, name: "security: critical" });
    expect(github.issueLabels(OWNER, REPO, PR)).toEqual(["needs review"]);
    const missing = await failure(octokit.rest.issues.removeLabel({ owner: OWNER, repo: REPO, issue_number: PR, name: "security: critical" }));
    expect(missing).toMatchObject({ status: 404, data: { message: "Label does not exist" } });
    await octokit.rest.issues.setLabels({ owner: OWNER, repo: REPO, issue_number: PR, labels: ["security: low"] });
    expect(github.issueLabels(OWNER, REPO, PR)).toEqual(["security: low"]);
  });
});

describe("contents", () => {
  const YAML = "failOn: medium\npaths:\n  - backend/**\n";

  it("serves raw text or base64 JSON, per ref", async () => {
    github.setFile(OWNER, REPO, ".github/backend-agent.yml", YAML);
    github.setFile(OWNER, REPO, ".github/backend-agent.yml", "failOn: none\n", "feature");
    const raw = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github/backend-agent.yml", mediaType: { format: "raw" } });
    expect(raw.data).toBe(YAML);
    expect(raw.headers["content-type"]).toBe("text/plain; charset=utf-8");
    const asJson = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github/backend-agent.yml", ref: "heads/main" });
    const entry = asJson.data as { type: string; encoding: string; content: string };
    expect(entry.type).toBe("file");
    expect(Buffer.from(entry.content, entry.encoding as BufferEncoding).toString("utf8")).toBe(YAML);
    const head = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github/backend-agent.yml", ref: "feature", mediaType: { format: "raw" } });
    expect(head.data).toBe("failOn: none\n");
    // The PR's base SHA is a commit of the default branch.
    const atBase = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github/backend-agent.yml", ref: BASE, mediaType: { format: "raw" } });
    expect(atBase.data).toBe(YAML);
    expect((await failure(octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "missing.yml" }))).status).toBe(404);
    expect(github.requestsTo("GET", /\/contents\//).map((r) => r.query.ref)).toEqual([undefined, "heads/main", "feature", BASE, undefined]);
  });

  it("serves what Probot's config plugin requests (context.config)", async () => {
    github.setFile(OWNER, REPO, ".github/backend-agent.yml", YAML);
    const probotOctokit = new ProbotOctokit({ auth: { token }, baseUrl: `${github.url}/api/v3` });
    const { config } = await probotOctokit.config.get({ owner: OWNER, repo: REPO, path: ".github/backend-agent.yml" });
    expect(config).toEqual({ failOn: "medium", paths: ["backend/**"] });
    const [call] = github.requestsTo("GET", /\/contents\//);
    expect(call?.path).toBe("/repos/acme/api/contents/.github%2Fbackend-agent.yml");
    expect(call?.headers.accept).toBe("application/vnd.github.v3.raw");
    expect(call?.query.ref).toBeUndefined();

    // Without a file in the repository, the plugin falls back to the owner's `.github` repository.
    const missing = await probotOctokit.config.get({ owner: OWNER, repo: "other", path: ".github/backend-agent.yml" });
    expect(missing.config).toEqual({});
    expect(github.requestsTo("GET", /\/contents\//).map((r) => r.path).slice(1)).toEqual([
      "/repos/acme/other/contents/.github%2Fbackend-agent.yml",
      "/repos/acme/.github/contents/.github%2Fbackend-agent.yml",
    ]);
  });
});

describe("comments, reactions and permissions", () => {
  it("stores bot comments, refuses over-long ones and edits them", async () => {
    const posted = await octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: PR, body: "summary" });
    expect(posted.data.user?.login).toBe("backend-agent[bot]");
    await octokit.rest.issues.updateComment({ owner: OWNER, repo: REPO, comment_id: posted.data.id, body: "summary v2" });
    const long = await failure(octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: PR, body: "x".repeat(65_537) }));
    expect(long.status).toBe(422);
    expect(github.issueComments(OWNER, REPO, PR)).toEqual([
      { id: posted.data.id, body: "summary v2", user: { login: "backend-agent[bot]", type: "Bot" } },
    ]);
  });

  it("reacts once per content and refuses unknown reactions and comments", async () => {
    const id = github.addIssueComment(OWNER, REPO, PR, { id: 555, body: "/backend-agent review", user: { login: "alice" } });
    expect(id).toBe(555);
    const first = await octokit.rest.reactions.createForIssueComment({ owner: OWNER, repo: REPO, comment_id: id, content: "eyes" });
    expect(first.status).toBe(201);
    const again = await octokit.rest.reactions.createForIssueComment({ owner: OWNER, repo: REPO, comment_id: id, content: "eyes" });
    expect(again.status).toBe(200);
    expect(github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    const bad = await failure(
      untyped("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { owner: OWNER, repo: REPO, comment_id: id, content: "thumbsup" }),
    );
    expect(bad.status).toBe(422);
    expect((await failure(octokit.rest.reactions.createForIssueComment({ owner: OWNER, repo: REPO, comment_id: 1, content: "eyes" }))).status).toBe(404);
  });

  it("maps roles to GitHub's legacy permission and defaults to read", async () => {
    github.setPermission(OWNER, REPO, "maria", "maintain");
    const maria = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: OWNER, repo: REPO, username: "maria" });
    expect(maria.data).toMatchObject({ permission: "write", role_name: "maintain" });
    const stranger = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: OWNER, repo: REPO, username: "mallory" });
    expect(stranger.data.permission).toBe("read");
  });
});

describe("fault injection", () => {
  it("fails the next matching requests, then recovers", async () => {
    github.failNext("GET", /^\/repos\/acme\/api\/pulls\/7$/, 502, undefined, 2);
    expect((await failure(octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: PR }))).status).toBe(502);
    expect((await failure(octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: PR }))).status).toBe(502);
    const ok = await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: PR });
    expect(ok.data.head.sha).toBe(HEAD);
    expect(github.requestsTo("GET", /\/pulls\/7$/).map((r) => r.status)).toEqual([502, 502, 200]);

    github.failNext("POST", /\/check-runs$/, 422, { message: "Custom" });
    const custom = await failure(octokit.rest.checks.create({ owner: OWNER, repo: REPO, name: "n", head_sha: HEAD }));
    expect(custom).toMatchObject({ status: 422, data: { message: "Custom" } });
  });

  it("delays matching responses without holding up others", async () => {
    github.setDelay("GET", /^\/repos\/acme\/api$/, 500);
    let slowDone = false;
    const slow = octokit.rest.repos.get({ owner: OWNER, repo: REPO }).then(() => {
      slowDone = true;
    });
    await octokit.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: PR });
    expect(slowDone).toBe(false);
    await slow;
    expect(slowDone).toBe(true);
  });
});

