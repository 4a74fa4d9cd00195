/**
 * Delivers signed webhooks to the app the way GitHub does, with payloads that
 * start from real examples in `@octokit/webhooks-examples` — so handlers see the
 * fields real deliveries carry, not a hand-made subset.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";

/** What the app answered to one delivery. */
export interface Delivery {
  status: number;
  body: string;
  /** Wall time from sending to the end of the response body. */
  ms: number;
}

/** Options of {@link sendWebhook}. */
export interface SendWebhookOptions {
  event: string;
  payload: object;
  secret: string;
  /** `X-GitHub-Delivery`; a random UUID when absent (GitHub keeps it on redelivery). */
  deliveryId?: string;
  /** Overrides `X-Hub-Signature-256`, for bad-signature tests. */
  signature?: string;
}

/** POSTs `payload` to `url` with GitHub's headers and an HMAC-SHA256 signature. */
export async function sendWebhook(url: string, opts: SendWebhookOptions): Promise<Delivery> {
  const body = JSON.stringify(opts.payload);
  const signature = opts.signature ?? (await sign(opts.secret, body));
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/test",
      "x-github-event": opts.event,
      "x-github-delivery": opts.deliveryId ?? randomUUID(),
      "x-hub-signature-256": signature,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, ms: performance.now() - started };
}

type Json = Record<string, unknown>;
interface WebhookDefinition {
  name: string;
  examples: Json[];
}

// The package's entry point is a JSON file; `require` reads it without import attributes.
const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/**
 * A deep copy of the first real example of `event`/`action` (or of `fallbackAction`
 * when the package has none), with every URL of the example's repository pointing
 * at `owner/repo` instead.
 */
function example(
  event: string,
  action: string,
  target: { owner: string; repo: string; number?: number },
  fallbackAction?: string,
): Json {
  const examples = definitions.find((d) => d.name === event)?.examples ?? [];
  const found =
    examples.find((e) => e["action"] === action) ??
    (fallbackAction === undefined ? undefined : examples.find((e) => e["action"] === fallbackAction));
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event}.${action} example`);
  let text = JSON.stringify(found);
  const fullName = get(found, "repository.full_name");
  if (typeof fullName === "string") {
    // Both URL forms: `…/owner/name…` and `git@github.com:owner/name.git`.
    for (const sep of ["/", ":"]) text = text.split(`${sep}${fullName}`).join(`${sep}${target.owner}/${target.repo}`);
  }
  const exampleNumber = get(found, "pull_request.number") ?? get(found, "issue.number");
  if (target.number !== undefined && typeof exampleNumber === "number") {
    const links = new RegExp(`(/(?:pulls|pull|issues)/)${exampleNumber}(?=[/"#.])`, "g");
    text = text.replace(links, `$1${target.number}`);
  }
  const payload = JSON.parse(text) as Json;
  payload["action"] = action;
  return payload;
}

/** Reads a dotted path of plain objects. */
function get(source: unknown, path: string): unknown {
  let node = source;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = Reflect.get(node, key);
  }
  return node;
}

/** Sets `value` at a dotted path, creating objects on the way. */
function set(target: Json, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Json;
    else node = node[key] = {};
  }
  node[keys[keys.length - 1] ?? ""] = value;
}

function setRepository(payload: Json, owner: string, repo: string, installationId: number | undefined): void {
  for (const prefix of ["repository", "pull_request.base.repo", "pull_request.head.repo"]) {
    if (prefix !== "repository" && typeof payload["pull_request"] !== "object") continue;
    set(payload, `${prefix}.name`, repo);
    set(payload, `${prefix}.full_name`, `${owner}/${repo}`);
    set(payload, `${prefix}.owner.login`, owner);
    set(payload, `${prefix}.default_branch`, "main");
  }
  set(payload, "installation", { id: installationId ?? 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" });
}

/** A stand-in base SHA when the test does not care which commit the PR is based on. */
const DEFAULT_BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";

/** A `pull_request` payload from the package's example for `action`. */
export function pullRequestPayload(
  action: "opened" | "reopened" | "synchronize" | "ready_for_review" | "closed" | "edited",
  pr: {
    owner: string;
    repo: string;
    number: number;
    headSha: string;
    baseSha?: string;
    draft?: boolean;
    installationId?: number;
    user?: string;
  },
): object {
  // The package has no `edited` example; an `opened` one plus `changes` is what GitHub sends.
  const payload = example("pull_request", action, pr, "opened");
  const api = `https://api.github.com/repos/${pr.owner}/${pr.repo}`;
  const html = `https://github.com/${pr.owner}/${pr.repo}`;
  payload["number"] = pr.number;
  set(payload, "pull_request.number", pr.number);
  set(payload, "pull_request.url", `${api}/pulls/${pr.number}`);
  set(payload, "pull_request.html_url", `${html}/pull/${pr.number}`);
  set(payload, "pull_request.diff_url", `${html}/pull/${pr.number}.diff`);
  set(payload, "pull_request.patch_url", `${html}/pull/${pr.number}.patch`);
  set(payload, "pull_request.issue_url", `${api}/issues/${pr.number}`);
  set(payload, "pull_request.head.sha", pr.headSha);
  set(payload, "pull_request.base.sha", pr.baseSha ?? DEFAULT_BASE_SHA);
  set(payload, "pull_request.base.ref", "main");
  set(payload, "pull_request.draft", pr.draft ?? false);
  set(payload, "pull_request.state", action === "closed" ? "closed" : "open");
  if (pr.user !== undefined) {
    set(payload, "pull_request.user.login", pr.user);
    set(payload, "sender.login", pr.user);
  }
  if (action === "synchronize") {
    payload["before"] = pr.baseSha ?? DEFAULT_BASE_SHA;
    payload["after"] = pr.headSha;
  }
  if (action === "edited") payload["changes"] = { title: { from: "Previous title" } };
  setRepository(payload, pr.owner, pr.repo, pr.installationId);
  return payload;
}

/** An `issue_comment.created` payload on a pull request (issues of PRs carry `issue.pull_request`). */
export function issueCommentPayload(
  pr: { owner: string; repo: string; number: number; installationId?: number },
  comment: { body: string; user: string; userType?: "User" | "Bot"; id?: number },
): object {
  const payload = example("issue_comment", "created", pr);
  const api = `https://api.github.com/repos/${pr.owner}/${pr.repo}`;
  const html = `https://github.com/${pr.owner}/${pr.repo}`;
  const id = comment.id ?? 1_000_000 + pr.number;
  set(payload, "issue.number", pr.number);
  set(payload, "issue.url", `${api}/issues/${pr.number}`);
  set(payload, "issue.html_url", `${html}/pull/${pr.number}`);
  set(payload, "issue.state", "open");
  set(payload, "issue.pull_request", {
    url: `${api}/pulls/${pr.number}`,
    html_url: `${html}/pull/${pr.number}`,
    diff_url: `${html}/pull/${pr.number}.diff`,
    patch_url: `${html}/pull/${pr.number}.patch`,
    merged_at: null,
  });
  set(payload, "comment.id", id);
  set(payload, "comment.body", comment.body);
  set(payload, "comment.url", `${api}/issues/comments/${id}`);
  set(payload, "comment.html_url", `${html}/pull/${pr.number}#issuecomment-${id}`);
  set(payload, "comment.issue_url", `${api}/issues/${pr.number}`);
  for (const who of ["comment.user", "sender"]) {
    set(payload, `${who}.login`, comment.user);
    set(payload, `${who}.type`, comment.userType ?? "User");
  }
  setRepository(payload, pr.owner, pr.repo, pr.installationId);
  return payload;
}

/** A `check_run` payload (`rerequested` = the Re-run button, `requested_action` = an action button). */
export function checkRunPayload(
  action: "rerequested" | "requested_action",
  run: {
    owner: string;
    repo: string;
    id: number;
    headSha: string;
    name?: string;
    prNumber: number;
    installationId?: number;
    identifier?: string;
    /** `check_run.app.id`: apps only get check_run events for their own runs. */
    appId?: number;
    /** `check_run.external_id` as the app set it. */
    externalId?: string;
    /** Leave `pull_requests` empty, as GitHub does for a PR from a fork. */
    noPullRequests?: boolean;
    /** `sender.login`: who pressed the button. */
    sender?: string;
  },
): object {
  const payload = example("check_run", action, run);
  const api = `https://api.github.com/repos/${run.owner}/${run.repo}`;
  set(payload, "check_run.id", run.id);
  set(payload, "check_run.name", run.name ?? "backend-agent");
  set(payload, "check_run.head_sha", run.headSha);
  set(payload, "check_run.url", `${api}/check-runs/${run.id}`);
  set(payload, "check_run.html_url", `https://github.com/${run.owner}/${run.repo}/runs/${run.id}`);
  set(payload, "check_run.check_suite.head_sha", run.headSha);
  const repoRef = { id: 1, url: api, name: run.repo };
  const pullRequests = [
    {
      url: `${api}/pulls/${run.prNumber}`,
      id: run.prNumber,
      number: run.prNumber,
      head: { ref: `pr-${run.prNumber}`, sha: run.headSha, repo: repoRef },
      base: { ref: "main", sha: DEFAULT_BASE_SHA, repo: repoRef },
    },
  ];
  set(payload, "check_run.pull_requests", run.noPullRequests ? [] : pullRequests);
  set(payload, "check_run.check_suite.pull_requests", run.noPullRequests ? [] : pullRequests);
  if (run.externalId !== undefined) set(payload, "check_run.external_id", run.externalId);
  if (run.sender !== undefined) set(payload, "sender.login", run.sender);
  if (run.appId !== undefined) {
    set(payload, "check_run.app.id", run.appId);
    set(payload, "check_run.check_suite.app.id", run.appId);
  }
  if (action === "requested_action") payload["requested_action"] = { identifier: run.identifier ?? "rerun" };
  setRepository(payload, run.owner, run.repo, run.installationId);
  return payload;
}

/** A `check_suite.rerequested` payload ("Re-run all checks"), for the suite of `headSha` on PR `prNumber`. */
export function checkSuitePayload(suite: { owner: string; repo: string; id?: number; headSha: string; prNumber: number; installationId?: number }): object {
  const payload = example("check_suite", "rerequested", suite);
  const api = `https://api.github.com/repos/${suite.owner}/${suite.repo}`;
  const id = suite.id ?? 118578147;
  set(payload, "check_suite.id", id);
  set(payload, "check_suite.url", `${api}/check-suites/${id}`);
  set(payload, "check_suite.head_sha", suite.headSha);
  set(payload, "check_suite.after", suite.headSha);
  const repoRef = { id: 1, url: api, name: suite.repo };
  set(payload, "check_suite.pull_requests", [
    {
      url: `${api}/pulls/${suite.prNumber}`,
      id: suite.prNumber,
      number: suite.prNumber,
      head: { ref: `pr-${suite.prNumber}`, sha: suite.headSha, repo: repoRef },
      base: { ref: "main", sha: DEFAULT_BASE_SHA, repo: repoRef },
    },
  ]);
  setRepository(payload, suite.owner, suite.repo, suite.installationId);
  return payload;
}

/**
 * A `pull_request_review_comment.created` payload: a comment in a review thread on
 * `path`, whose `diff_hunk` is GitHub's hunk up to the commented line.
 */
export function reviewCommentPayload(
  pr: { owner: string; repo: string; number: number; headSha: string; installationId?: number },
  comment: { id: number; body: string; user: string; userType?: "User" | "Bot"; path: string; line: number; side?: "LEFT" | "RIGHT"; diffHunk: string },
): object {
  const payload = example("pull_request_review_comment", "created", pr);
  const api = `https://api.github.com/repos/${pr.owner}/${pr.repo}`;
  const html = `https://github.com/${pr.owner}/${pr.repo}`;
  set(payload, "pull_request.number", pr.number);
  set(payload, "pull_request.url", `${api}/pulls/${pr.number}`);
  set(payload, "pull_request.html_url", `${html}/pull/${pr.number}`);
  set(payload, "pull_request.head.sha", pr.headSha);
  set(payload, "pull_request.state", "open");
  set(payload, "comment.id", comment.id);
  set(payload, "comment.body", comment.body);
  set(payload, "comment.path", comment.path);
  set(payload, "comment.line", comment.line);
  set(payload, "comment.original_line", comment.line);
  set(payload, "comment.side", comment.side ?? "RIGHT");
  set(payload, "comment.diff_hunk", comment.diffHunk);
  set(payload, "comment.commit_id", pr.headSha);
  set(payload, "comment.url", `${api}/pulls/comments/${comment.id}`);
  set(payload, "comment.html_url", `${html}/pull/${pr.number}#discussion_r${comment.id}`);
  set(payload, "comment.pull_request_url", `${api}/pulls/${pr.number}`);
  for (const who of ["comment.user", "sender"]) {
    set(payload, `${who}.login`, comment.user);
    set(payload, `${who}.type`, comment.userType ?? "User");
  }
  setRepository(payload, pr.owner, pr.repo, pr.installationId);
  return payload;
}
