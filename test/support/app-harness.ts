/**
 * Starts the real app (Probot + Octokit + Anthropic SDK, via `startApp`) against
 * the loopback fakes, and offers the few verbs integration tests need: open a PR
 * from a git fixture, deliver its webhook, wait for the check run to complete.
 */
import type { TarEntry } from "./fake-tarball.js";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnv } from "../../src/config/env.js";
import { startApp, type AppOptions, type RunningApp } from "../../src/app/start-app.js";
import { FakeAnthropic } from "./fake-anthropic.js";
import { BOT_USER, FakeGitHub, type CheckRunView, type IssueCommentView } from "./fake-github.js";
import { commentableLines, diffHunkFor } from "./fake-github/diff-lines.js";
import { buildPullRequest, type GitFixtureSpec, type GitHubFile } from "./git-fixture.js";
import { issueCommentPayload, pullRequestPayload, reviewCommentPayload, sendWebhook, type Delivery } from "./signed-webhook.js";

export const OWNER = "acme";
export const REPO = "platform";
export const SECRET = "webhook-secret-for-tests";
export const API_KEY = "sk-ant-test-key-never-leaves";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** A running app with its fakes. */
export interface Harness {
  app: RunningApp;
  github: FakeGitHub;
  anthropic: FakeAnthropic;
  /** Adds a PR built from real `git diff` output; returns its head SHA. */
  openPullRequest(number: number, spec: GitFixtureSpec, pr?: { draft?: boolean; title?: string; tarball?: TarEntry[] }): string;
  /** Delivers a signed `pull_request` webhook. */
  deliver(action: "opened" | "synchronize" | "reopened" | "ready_for_review" | "closed", number: number, headSha: string, opts?: { deliveryId?: string; draft?: boolean }): Promise<Delivery>;
  /** Waits until a check run on `headSha` created after the last delivery is completed, and returns it. */
  completedCheck(headSha: string, timeoutMs?: number): Promise<CheckRunView>;
  /** Delivers any signed webhook (check runs are counted from here on, as after `deliver`). */
  send(event: string, payload: object, opts?: { deliveryId?: string }): Promise<Delivery>;
  /** A person's comment on the PR conversation: seeded on the fake, then its `issue_comment.created` delivered. */
  comment(number: number, body: string, opts?: { user?: string; userType?: "User" | "Bot" }): Promise<{ id: number; delivery: Delivery }>;
  /**
   * A person's comment in a review thread on `path`/`line` of an opened PR: seeded on the fake,
   * then its `pull_request_review_comment.created` delivered with GitHub's `diff_hunk`.
   */
  reviewComment(number: number, comment: { path: string; line: number; side?: "LEFT" | "RIGHT"; body: string; user?: string }): Promise<{ id: number; delivery: Delivery }>;
  /** Waits until the queue has nothing waiting or running (a command and the review it queued included). */
  idle(timeoutMs?: number): Promise<void>;
  /** The app's comments on the PR conversation, oldest first. */
  botComments(number: number): IssueCommentView[];
  stop(): Promise<void>;
}

/**
 * How long a test waits for something it expects (a check run, an idle queue): only a failing
 * test waits this long, so it is generous for a loaded machine and below jest's 150 s test timeout.
 */
export const WAIT_LIMIT_MS = 120_000;

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = WAIT_LIMIT_MS): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The head commit's files of a fixture, as archive entries. */
function headTree(spec: GitFixtureSpec): TarEntry[] {
  const files = new Map(Object.entries(spec.base).filter((e): e is [string, string | Buffer] => e[1] !== null));
  for (const [from, to] of spec.renames ?? []) {
    const content = files.get(from);
    files.delete(from);
    if (content !== undefined) files.set(to, content);
  }
  for (const [path, content] of Object.entries(spec.head)) {
    if (content === null) files.delete(path);
    else files.set(path, content);
  }
  return [...files].map(([path, content]) => ({ path, content }));
}

/**
 * Starts fakes and app; `env` overrides the app's environment (a function of the fake model
 * API's URL, for a provider's base URL), `options` its settings that have no variable.
 */
export async function startHarness(env: Record<string, string | undefined> | ((modelUrl: string) => Record<string, string | undefined>) = {}, options: AppOptions = {}): Promise<Harness> {
  const github = await FakeGitHub.start();
  const anthropic = await FakeAnthropic.start();
  github.setRepository(OWNER, REPO, { defaultBranch: "main" });
  // Each harness has its own job store: test files run in parallel.
  const dataDir = mkdtempSync(join(tmpdir(), "backend-agent-data-"));
  const app = await startApp(
    loadEnv({
      APP_ID: "4242",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      // Far above the fake's answer time even on a loaded machine: a timeout here would retry, and a test count two requests.
      MODEL_TIMEOUT_MS: "10000",
      MODEL_MAX_RETRIES: "1",
      DATA_DIR: dataDir,
      ...(typeof env === "function" ? env(anthropic.url) : env),
    }),
    options,
  );
  // Fixture SHAs are deterministic, so two PRs with the same files share a head:
  // a test waits for a check run newer than its own delivery.
  let newerThan = 0;
  const lastCheckId = () => Math.max(0, ...github.checkRuns(OWNER, REPO).map((run) => run.id));
  const pulls = new Map<number, { headSha: string; files: GitHubFile[] }>();
  const send = (event: string, payload: object, opts: { deliveryId?: string } = {}) => {
    newerThan = lastCheckId();
    return sendWebhook(`${app.url}/api/github/webhooks`, { event, payload, secret: SECRET, deliveryId: opts.deliveryId });
  };
  const idle = (timeoutMs?: number) =>
    waitFor(() => (app.queue.stats().running + app.queue.stats().waiting === 0 ? true : undefined), "an idle queue", timeoutMs).then(() => undefined);
  const harness: Harness = {
    app,
    github,
    anthropic,
    openPullRequest(number, spec, pr = {}) {
      const fixture = buildPullRequest(spec);
      fixture.cleanup();
      github.addPullRequest({ owner: OWNER, repo: REPO, number, headSha: fixture.headSha, baseSha: fixture.baseSha, files: fixture.files, draft: pr.draft ?? false, title: pr.title ?? "Add an endpoint" });
      pulls.set(number, { headSha: fixture.headSha, files: fixture.files });
      // GitHub has the head commit's archive: its files, and whatever else a test adds.
      github.setCommit(OWNER, REPO, fixture.headSha, [...headTree(spec), ...(pr.tarball ?? [])]);
      return fixture.headSha;
    },
    deliver(action, number, headSha, opts = {}) {
      newerThan = lastCheckId();
      return sendWebhook(`${app.url}/api/github/webhooks`, {
        event: "pull_request",
        payload: pullRequestPayload(action as "opened", { owner: OWNER, repo: REPO, number, headSha, draft: opts.draft ?? false }),
        secret: SECRET,
        deliveryId: opts.deliveryId,
      });
    },
    async completedCheck(headSha, timeoutMs) {
      const run = await waitFor(() => github.checkRuns(OWNER, REPO).find((r) => r.id > newerThan && r.head_sha === headSha && r.status === "completed"), `a completed check on ${headSha}`, timeoutMs);
      // The job leaves the queue just after its last request: wait, so the next delivery is not a duplicate.
      await idle(timeoutMs);
      return run;
    },
    send,
    async comment(number, body, opts = {}) {
      const user = opts.user ?? "octocat";
      const id = github.addIssueComment(OWNER, REPO, number, { body, user: { login: user, type: opts.userType ?? "User" } });
      const delivery = await send("issue_comment", issueCommentPayload({ owner: OWNER, repo: REPO, number }, { body, user, userType: opts.userType ?? "User", id }));
      return { id, delivery };
    },
    async reviewComment(number, comment) {
      const pull = pulls.get(number);
      const patch = pull?.files.find((f) => f.filename === comment.path)?.patch;
      if (!pull || patch === undefined) throw new Error(`PR ${number} has no patch for ${comment.path}`);
      const lines = commentableLines(patch);
      const side = comment.side ?? "RIGHT";
      const anchor = (side === "RIGHT" ? lines.right : lines.left).get(comment.line);
      if (!anchor) throw new Error(`${comment.path}:${comment.line} (${side}) is not in the diff`);
      const user = comment.user ?? "octocat";
      const id = github.addReviewComment(OWNER, REPO, number, { path: comment.path, line: comment.line, side, body: comment.body, user: { login: user } });
      const payload = reviewCommentPayload(
        { owner: OWNER, repo: REPO, number, headSha: pull.headSha },
        { id, body: comment.body, user, path: comment.path, line: comment.line, side, diffHunk: diffHunkFor(lines, anchor) },
      );
      return { id, delivery: await send("pull_request_review_comment", payload) };
    },
    idle,
    botComments(number) {
      return github.issueComments(OWNER, REPO, number).filter((c) => c.user.login === BOT_USER.login);
    },
    async stop() {
      await app.stop();
      await Promise.all([github.stop(), anthropic.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
