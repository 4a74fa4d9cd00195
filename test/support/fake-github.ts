/**
 * A fake GitHub (Enterprise-style, under `/api/v3`) served over loopback HTTP,
 * so integration tests run the real Probot app and the real Octokit against
 * something that answers like GitHub, including its 422s: an inline comment
 * off the diff rejects the whole review, more than 50 annotations or an
 * over-long summary reject the check run, a duplicate label is refused.
 *
 * ```ts
 * const github = await FakeGitHub.start();
 * process.env.GHE_HOST = github.host;      // with GHE_PROTOCOL=http
 * github.addPullRequest({ owner: "acme", repo: "api", number: 7, headSha, baseSha, files });
 * // … deliver a webhook to the app …
 * expect(github.reviews("acme", "api", 7)).toHaveLength(1);
 * await github.stop();
 * ```
 *
 * Authentication works like GitHub App auth: `POST /app/installations/{id}/access_tokens`
 * with a JWT (any well-formed one) issues a token; every other call needs an issued token.
 */
import { verify } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { diffHunkFor } from "./fake-github/diff-lines.js";
import { answerGraphql } from "./fake-github/graphql.js";
import { compileRoutes, GENERIC_DOCS, matchRoute, type CompiledRoute, type Reply } from "./fake-github/http.js";
import { checkRoutes } from "./fake-github/routes-checks.js";
import { commentRoutes, reactionKey } from "./fake-github/routes-comments.js";
import { createLabel, labelRoutes } from "./fake-github/routes-labels.js";
import { pullRoutes } from "./fake-github/routes-pulls.js";
import { refKey, repoRoutes } from "./fake-github/routes-repos.js";
import { reviewRoutes } from "./fake-github/routes-reviews.js";
import { FakeState, now, type UserRef } from "./fake-github/state.js";
import { FakeTarballServer, type TarEntry } from "./fake-tarball.js";
import type {
  CheckRunView,
  FakeComparisonInfo,
  FakeFile,
  FakeGitHubOptions,
  FakePermission,
  FakePullRequest,
  IssueCommentView,
  LabelView,
  RecordedRequest,
  ReviewCommentView,
  ReviewView,
  Side,
} from "./fake-github/types.js";

export type {
  CheckRunView,
  FakeComparisonInfo,
  FakeFile,
  FakeFileStatus,
  FakeGitHubOptions,
  FakePermission,
  FakePullRequest,
  IssueCommentView,
  LabelView,
  RecordedRequest,
  ReviewCommentView,
  ReviewView,
  Side,
} from "./fake-github/types.js";
export { BOT_USER } from "./fake-github/state.js";

const API_PREFIX = "/api/v3";
/** GitHub Enterprise serves GraphQL beside the REST prefix, not under it. */
const GRAPHQL_PATH = "/api/graphql";

interface Failure {
  method: string;
  path: RegExp;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  remaining: number;
}

interface Delay {
  method: string;
  path: RegExp;
  ms: number;
}

/**
 * What GitHub would say about an app JWT, or undefined when it is good. A JWT for another
 * App ID fails GitHub's signature check against that app's keys, hence the same message.
 */
function jwtProblem(jwt: string, app: { id: number; publicKey: string }): string | undefined {
  const [header = "", payload = "", signature = ""] = jwt.split(".");
  const undecodable = "A JSON web token could not be decoded";
  let claims: { iss?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return undecodable;
  }
  if (String(claims.iss) !== String(app.id)) return undecodable;
  if (!verify("sha256", Buffer.from(`${header}.${payload}`), app.publicKey, Buffer.from(signature, "base64url"))) return undecodable;
  if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) {
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  }
  return undefined;
}

function methodMatches(pattern: string, method: string): boolean {
  return pattern === "*" || pattern.toUpperCase() === method;
}

/** The fake GitHub server. Create it with {@link FakeGitHub.start}. */
export class FakeGitHub {
  /** Base URL without `/api/v3`, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.1:PORT`, for `GHE_HOST` (with `GHE_PROTOCOL=http`). */
  readonly host: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];

  private readonly state = new FakeState();
  private readonly routes: CompiledRoute[] = compileRoutes([
    ...repoRoutes,
    ...pullRoutes,
    ...reviewRoutes,
    ...checkRoutes,
    ...labelRoutes,
    ...commentRoutes,
  ]);
  /** Commit archives: the tarball route redirects there, as GitHub redirects to codeload. */
  tarballs!: FakeTarballServer;
  private failures: Failure[] = [];
  private delays: Delay[] = [];
  /** Resolvers of in-flight delays, released on stop so nothing keeps Jest alive. */
  private readonly sleepers = new Set<() => void>();
  private stopped = false;

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly options: Required<Omit<FakeGitHubOptions, "app">> & Pick<FakeGitHubOptions, "app">,
  ) {
    this.host = `127.0.0.1:${port}`;
    this.url = `http://${this.host}`;
  }

  /** Starts the fake on 127.0.0.1 with a free port. */
  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const server = createServer();
    // As the app's server: a long keep-alive so a busy test process does not race a closing socket.
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeGitHub(server, port, { requireAuth: options.requireAuth ?? true, app: options.app });
    fake.tarballs = await FakeTarballServer.start();
    fake.state.codeload = (owner, repo, sha) => fake.tarballs.codeloadUrl(owner, repo, sha);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ message: `fake-github crashed: ${String(error)}` }));
      });
    });
    return fake;
  }

  /** Closes the server and every open connection (Octokit keeps them alive). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    this.server.closeAllConnections();
    await Promise.all([new Promise<void>((resolve) => this.server.close(() => resolve())), this.tarballs.stop()]);
  }

  // ---------------------------------------------------------------- setup

  /** Registers a pull request; registering the same number again models a push (new head). */
  addPullRequest(pr: FakePullRequest): void {
    this.state.upsertPull(pr);
  }

  /** Serves `sha`'s tarball (`GET /repos/{o}/{r}/tarball/{sha}`) with these entries. */
  setCommit(owner: string, repo: string, sha: string, entries: TarEntry[]): void {
    this.tarballs.add({ owner, repo, sha, entries });
  }

  /**
   * Files served by `GET /repos/{o}/{r}/contents/{path}`; ref undefined = default branch.
   * "main", "heads/main" and "refs/heads/main" all name the default branch; a PR's
   * `baseSha` falls back to the default branch's files when its base is the default branch.
   */
  setFile(owner: string, repo: string, path: string, content: string, ref?: string): void {
    const state = this.state.ensureRepo(owner, repo);
    const key = refKey(state, ref);
    const files = state.files.get(key) ?? new Map<string, string>();
    files.set(path.replace(/^\/+/, ""), content);
    state.files.set(key, files);
  }

  /**
   * A user's role on the repository. Users never set read a public repository ("read"),
   * as GitHub answers for non-collaborators. The response's `permission` is the legacy
   * base role (maintain → "write", triage → "read"); `role_name` carries the exact role.
   */
  setPermission(owner: string, repo: string, user: string, permission: FakePermission): void {
    this.state.ensureRepo(owner, repo).permissions.set(user.toLowerCase(), permission);
  }

  /** Repository settings: default branch (default "main") and visibility. */
  setRepository(owner: string, repo: string, settings: { defaultBranch?: string; private?: boolean }): void {
    const state = this.state.ensureRepo(owner, repo);
    if (settings.defaultBranch !== undefined) state.defaultBranch = settings.defaultBranch;
    if (settings.private !== undefined) state.private = settings.private;
  }

  /** Files answered by `GET /repos/{o}/{r}/compare/{base}...{head}` (404 until set). */
  setComparison(owner: string, repo: string, base: string, head: string, files: FakeFile[], info?: FakeComparisonInfo): void {
    const state = this.state.ensureRepo(owner, repo);
    state.comparisons.set(`${base}...${head}`, files.map((f) => ({ ...f })));
    if (info) state.comparisonInfo.set(`${base}...${head}`, { ...info });
    else state.comparisonInfo.delete(`${base}...${head}`);
  }

  /**
   * `by` resolves the review thread that `commentId` (its first comment, or a
   * reply in it) belongs to; GraphQL's `reviewThreads` then reports `isResolved`
   * and `resolvedBy { login }`.
   */
  resolveReviewThread(owner: string, repo: string, commentId: number, by: string): void {
    const state = this.state.ensureRepo(owner, repo);
    const comment = state.reviewComments.find((c) => c.id === commentId);
    if (!comment) throw new Error(`fake-github: no review comment ${commentId}`);
    state.resolvedThreads.set(comment.inReplyToId ?? comment.id, by);
  }

  /**
   * A completed check run some app created (seeding only: another app may name its
   * run like ours, with our `external_id` and a plausible title). `app` defaults to this app.
   */
  addCheckRun(
    owner: string,
    repo: string,
    run: { name: string; headSha: string; conclusion: string; title: string; externalId?: string; app?: { id: number; slug: string } },
  ): number {
    const state = this.state.ensureRepo(owner, repo);
    const id = this.state.nextId("checkRun");
    const at = now();
    state.checkRuns.push({
      id, name: run.name, headSha: run.headSha, status: "completed", conclusion: run.conclusion, output: { title: run.title, summary: "" },
      annotations: [], actions: undefined, externalId: run.externalId, detailsUrl: undefined, startedAt: at, completedAt: at, app: run.app,
    });
    return id;
  }

  /**
   * Completes check run `id` as the app would: the stand-in for a review that completed
   * its run and then lost its process before its job was marked done.
   */
  completeCheckRun(owner: string, repo: string, id: number, result: { conclusion: string; title: string }): void {
    const run = this.state.ensureRepo(owner, repo).checkRuns.find((r) => r.id === id);
    if (!run) throw new Error(`fake-github: no check run ${id}`);
    Object.assign(run, { status: "completed", conclusion: result.conclusion, output: { title: result.title, summary: "" }, completedAt: now() });
  }

  /** A repository label that exists before the app runs. */
  addLabel(owner: string, repo: string, label: { name: string; color?: string; description?: string | null }): void {
    const state = this.state.ensureRepo(owner, repo);
    if (state.labels.has(label.name.toLowerCase())) return;
    createLabel(this.state, state, label.name, label.color ?? "ededed", label.description ?? null);
  }

  /**
   * A human's comment on the PR conversation (e.g. a slash command), so that the app can
   * react to or quote it. Pass the `id` from the webhook payload to make them agree.
   */
  addIssueComment(
    owner: string,
    repo: string,
    number: number,
    comment: { id?: number; body: string; user: { login: string; type?: "User" | "Bot" } },
  ): number {
    const state = this.state.ensureRepo(owner, repo);
    const id = comment.id ?? this.state.nextId("issueComment");
    this.state.reserveId("issueComment", id);
    const at = now();
    const user: UserRef = { login: comment.user.login, type: comment.user.type ?? "User" };
    state.issueComments.push({ id, issueNumber: number, body: comment.body, user, createdAt: at, updatedAt: at });
    return id;
  }

  /**
   * A human's inline review comment on the PR (no validation: seeding only), so the app
   * can reply to or react to it. Creates its own COMMENT review, as GitHub does.
   * `inReplyTo` makes it a reply in that comment's thread.
   */
  addReviewComment(
    owner: string,
    repo: string,
    number: number,
    comment: { id?: number; path: string; line: number; side?: Side; body: string; user: { login: string; type?: "User" | "Bot" }; inReplyTo?: number },
  ): number {
    const state = this.state.ensureRepo(owner, repo);
    const pull = state.pulls.get(number);
    const id = comment.id ?? this.state.nextId("reviewComment");
    this.state.reserveId("reviewComment", id);
    const user: UserRef = { login: comment.user.login, type: comment.user.type ?? "User" };
    const side = comment.side ?? "RIGHT";
    const at = now();
    const reviewId = this.state.nextId("review");
    const commitId = pull?.pr.headSha ?? "";
    state.reviews.push({ id: reviewId, pullNumber: number, event: "COMMENT", body: "", commitId, user, submittedAt: at });
    const file = pull?.pr.files.find((f) => f.filename === comment.path);
    const lines = pull && file ? this.state.linesOf(pull, file) : undefined;
    const anchor = lines ? (side === "RIGHT" ? lines.right : lines.left).get(comment.line) : undefined;
    state.reviewComments.push({
      id,
      reviewId,
      pullNumber: number,
      path: comment.path,
      line: comment.line,
      side,
      startLine: undefined,
      startSide: undefined,
      position: undefined,
      body: comment.body,
      user,
      commitId,
      // A reply joins its root's thread, as GitHub does with replies to replies.
      inReplyToId: comment.inReplyTo === undefined ? undefined : (state.reviewComments.find((c) => c.id === comment.inReplyTo)?.inReplyToId ?? comment.inReplyTo),
      diffHunk: lines && anchor ? diffHunkFor(lines, anchor) : "",
      createdAt: at,
      updatedAt: at,
    });
    return id;
  }

  /**
   * Makes the next `times` (default 1) requests matching method (or "*") and path regex
   * (tested against the path without `/api/v3` and query) answer `status` with `body`
   * (default GitHub's `{ message, documentation_url }` for that status) and extra `headers`
   * (e.g. `{ "retry-after": "1" }` or `{ "x-ratelimit-remaining": "0" }` for rate-limit tests).
   * Failures apply before authentication, like a proxy or outage would.
   */
  failNext(
    method: string,
    path: RegExp,
    status: number,
    body?: unknown,
    times = 1,
    headers: Record<string, string> = {},
  ): void {
    this.failures.push({ method, path, status, body, headers, remaining: times });
  }

  /**
   * Delays (ms) every response on matching routes, to simulate slowness. The delay is
   * served before the request is processed; `ms = 0` removes earlier delays for that pattern.
   */
  setDelay(method: string, path: RegExp, ms: number): void {
    this.delays = this.delays.filter((d) => !(d.method === method && d.path.source === path.source));
    if (ms > 0) this.delays.push({ method, path, ms });
  }

  // ---------------------------------------------------------------- inspection

  /** Recorded requests matching method (or "*") and a regex over the path. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => methodMatches(method, r.method) && path.test(r.path));
  }

  /** Requests no route of the fake knows: calls the app was not expected to make. */
  unexpectedRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.route === null);
  }

  /** Reviews on the PR as a user sees them, oldest first (a pending review shows as PENDING). */
  reviews(owner: string, repo: string, number: number): ReviewView[] {
    const state = this.state.findRepo(owner, repo);
    if (!state) return [];
    return state.reviews
      .filter((r) => r.pullNumber === number)
      .map((r) => {
        const view: ReviewView = {
          id: r.id,
          event: r.event,
          body: r.body,
          commit_id: r.commitId,
          comments: state.reviewComments.filter((c) => c.reviewId === r.id).map((c) => reviewCommentView(c)),
        };
        return view;
      });
  }

  /** Check runs of the repository, oldest first, with all accumulated annotations. */
  checkRuns(owner: string, repo: string): CheckRunView[] {
    const state = this.state.findRepo(owner, repo);
    if (!state) return [];
    return state.checkRuns.map((r) => {
      const view: CheckRunView = {
        id: r.id,
        name: r.name,
        head_sha: r.headSha,
        status: r.status,
        conclusion: r.conclusion,
        output: { ...r.output },
        annotations: r.annotations.map((a) => ({ ...a })),
      };
      if (r.actions !== undefined) view.actions = [...r.actions];
      if (r.externalId !== undefined) view.external_id = r.externalId;
      if (r.detailsUrl !== undefined) view.details_url = r.detailsUrl;
      if (r.startedAt !== undefined) view.started_at = r.startedAt;
      if (r.completedAt !== undefined) view.completed_at = r.completedAt;
      return view;
    });
  }

  /** Labels defined in the repository. */
  labels(owner: string, repo: string): LabelView[] {
    const state = this.state.findRepo(owner, repo);
    if (!state) return [];
    return [...state.labels.values()].map((l) => ({ name: l.name, color: l.color, description: l.description }));
  }

  /** Names of the labels on the PR, in the order they were added. */
  issueLabels(owner: string, repo: string, number: number): string[] {
    const state = this.state.findRepo(owner, repo);
    if (!state) return [];
    return (state.issueLabels.get(number) ?? []).flatMap((key) => {
      const label = state.labels.get(key);
      return label ? [label.name] : [];
    });
  }

  /** Comments on the PR conversation, oldest first. */
  issueComments(owner: string, repo: string, number: number): IssueCommentView[] {
    const state = this.state.findRepo(owner, repo);
    if (!state) return [];
    return state.issueComments
      .filter((c) => c.issueNumber === number)
      .map((c) => ({ id: c.id, body: c.body, user: { login: c.user.login, type: c.user.type } }));
  }

  /** Reaction contents (e.g. "eyes") on an issue comment or a review comment. */
  reactions(owner: string, repo: string, commentId: number): string[] {
    if (!this.state.findRepo(owner, repo)) return [];
    return [
      ...(this.state.reactions.get(reactionKey("issue", commentId)) ?? []),
      ...(this.state.reactions.get(reactionKey("pull", commentId)) ?? []),
    ].map((r) => r.content);
  }

  /** Reaction contents on the PR itself (its description). */
  issueReactions(owner: string, repo: string, number: number): string[] {
    const state = this.state.findRepo(owner, repo);
    if (!state) return [];
    return (this.state.reactions.get(reactionKey("issue-body", number, state)) ?? []).map((r) => r.content);
  }

  // ---------------------------------------------------------------- serving

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    const method = (req.method ?? "GET").toUpperCase();
    const underApi = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
    const path = underApi ? url.pathname.slice(API_PREFIX.length) || "/" : url.pathname;

    let body: unknown;
    let badJson = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        badJson = true;
      }
    }
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body,
      rawBody,
      status: 0,
      route: null,
    };
    this.requests.push(record);

    const delay = this.delays.find((d) => methodMatches(d.method, method) && d.path.test(path));
    if (delay) await this.sleep(delay.ms);
    if (this.stopped || res.destroyed) return;

    const reply = method === "POST" && path === GRAPHQL_PATH ? this.answerGraphql(record, badJson) : await this.answer(record, underApi, badJson);
    record.status = reply.status;
    this.send(res, reply);
  }

  private async answer(record: RecordedRequest, underApi: boolean, badJson: boolean): Promise<Reply> {
    const match = underApi ? matchRoute(this.routes, record.method, record.path) : undefined;
    if (match) record.route = `${record.method} ${match.route.template}`;

    const failure = this.failures.find((f) => methodMatches(f.method, record.method) && f.path.test(record.path));
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) this.failures = this.failures.filter((f) => f !== failure);
      const fallback = { message: STATUS_CODES[failure.status] ?? "Error", documentation_url: GENERIC_DOCS, status: String(failure.status) };
      return { status: failure.status, json: failure.body ?? fallback, headers: failure.headers };
    }
    if (!match) return { status: 404, json: { message: "Not Found", documentation_url: GENERIC_DOCS, status: "404" } };
    if (badJson) return { status: 400, json: { message: "Problems parsing JSON", documentation_url: match.route.docs, status: "400" } };

    const denied = this.checkAuth(record, match.route);
    if (denied) return denied;

    return match.route.handle({
      state: this.state,
      params: match.params,
      query: record.query,
      body: record.body,
      headers: record.headers,
      apiUrl: `${this.url}${API_PREFIX}`,
      path: record.path,
      docs: match.route.docs,
    });
  }

  /** `POST /api/graphql`: an installation token, then the one query the fake knows. */
  private answerGraphql(record: RecordedRequest, badJson: boolean): Reply {
    record.route = "POST /graphql";
    const failure = this.failures.find((f) => methodMatches(f.method, record.method) && f.path.test(record.path));
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) this.failures = this.failures.filter((f) => f !== failure);
      return { status: failure.status, json: failure.body ?? { message: STATUS_CODES[failure.status] ?? "Error" }, headers: failure.headers };
    }
    if (badJson) return { status: 400, json: { message: "Problems parsing JSON", documentation_url: GENERIC_DOCS } };
    const header = record.headers.authorization;
    const value = Array.isArray(header) ? (header[0] ?? "") : (header ?? "");
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(value)?.[1];
    if (this.options.requireAuth && (token === undefined || !this.state.tokens.has(token))) {
      return { status: 401, json: { message: "Bad credentials", documentation_url: GENERIC_DOCS } };
    }
    return answerGraphql(this.state, record.body);
  }

  /** App routes need a JWT (shape only: the fake cannot know the key); the rest an issued token. */
  private checkAuth(record: RecordedRequest, route: CompiledRoute): Reply | undefined {
    const header = record.headers.authorization;
    const value = Array.isArray(header) ? (header[0] ?? "") : (header ?? "");
    if (route.auth === "app") {
      const jwt = /^bearer\s+([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(value)?.[1];
      const problem = jwt === undefined ? "A JSON web token could not be decoded" : this.options.app && jwtProblem(jwt, this.options.app);
      if (!problem) return undefined;
      return { status: 401, json: { message: problem, documentation_url: GENERIC_DOCS, status: "401" } };
    }
    if (!this.options.requireAuth) return undefined;
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(value)?.[1];
    if (token !== undefined && this.state.tokens.has(token)) return undefined;
    return { status: 401, json: { message: "Bad credentials", documentation_url: GENERIC_DOCS, status: "401" } };
  }

  private send(res: ServerResponse, reply: Reply): void {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const headers: Record<string, string> = {
      // Calm rate-limit headers keep Octokit's throttling plugin from waiting.
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-used": "1",
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-resource": "core",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": `FAKE:${this.requests.length}`,
    };
    let payload = "";
    if (reply.json !== undefined) {
      headers["content-type"] = "application/json; charset=utf-8";
      payload = JSON.stringify(reply.json);
    } else if (reply.text !== undefined) {
      headers["content-type"] = reply.contentType ?? "text/plain; charset=utf-8";
      payload = reply.text;
    }
    Object.assign(headers, reply.headers ?? {});
    res.writeHead(reply.status, headers);
    res.end(reply.status === 204 ? undefined : payload);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function reviewCommentView(c: {
  id: number;
  path: string;
  line: number;
  side: Side;
  startLine: number | undefined;
  startSide: Side | undefined;
  body: string;
  inReplyToId: number | undefined;
}): ReviewCommentView {
  const view: ReviewCommentView = { id: c.id, path: c.path, line: c.line, side: c.side, body: c.body };
  if (c.startLine !== undefined) {
    view.start_line = c.startLine;
    view.start_side = c.startSide ?? c.side;
  }
  if (c.inReplyToId !== undefined) view.in_reply_to_id = c.inReplyToId;
  return view;
}
