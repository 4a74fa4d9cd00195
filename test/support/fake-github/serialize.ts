/**
 * REST representations of the fake's state: the fields GitHub returns that an
 * app plausibly reads (`id`, `node_id`, `url`, `html_url`, …), not every field.
 */
import {
  APP_ID,
  APP_SLUG,
  BOT_USER,
  fakeSha,
  userId,
  type CheckRunState,
  type IssueCommentState,
  type LabelState,
  type PullState,
  type ReactionState,
  type RepoState,
  type ReviewCommentState,
  type ReviewState,
  type UserRef,
} from "./state.js";
import type { FakeFile } from "./types.js";

/** The web host the fake pretends to be (html_url fields). */
export function htmlBase(apiUrl: string): string {
  return apiUrl.replace(/\/api\/v3$/, "");
}

function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString("base64").replace(/=+$/, "");
}

export function userJson(user: UserRef, apiUrl: string): Record<string, unknown> {
  const id = userId(user.login);
  return {
    login: user.login,
    id,
    node_id: nodeId("User", id),
    type: user.type,
    site_admin: false,
    url: `${apiUrl}/users/${encodeURIComponent(user.login)}`,
    html_url: `${htmlBase(apiUrl)}/${encodeURIComponent(user.login)}`,
  };
}

export function repoJson(repo: RepoState, apiUrl: string): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: fullName,
    owner: userJson({ login: repo.owner, type: "User" }, apiUrl),
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    fork: false,
    archived: false,
    disabled: false,
    default_branch: repo.defaultBranch,
    url: `${apiUrl}/repos/${fullName}`,
    html_url: `${htmlBase(apiUrl)}/${fullName}`,
  };
}

export function appJson(apiUrl: string, app: { id: number; slug: string } = { id: APP_ID, slug: APP_SLUG }): Record<string, unknown> {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("Integration", app.id),
    name: app.slug,
    owner: userJson({ login: "acme", type: "User" }, apiUrl),
    html_url: `${htmlBase(apiUrl)}/apps/${app.slug}`,
    permissions: {
      checks: "write",
      contents: "read",
      issues: "write",
      metadata: "read",
      pull_requests: "write",
    },
    events: ["check_run", "issue_comment", "pull_request"],
  };
}

export function labelJson(repo: RepoState, label: LabelState, apiUrl: string): Record<string, unknown> {
  return {
    id: label.id,
    node_id: nodeId("Label", label.id),
    url: `${apiUrl}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

/** Labels currently on an issue, as label objects. */
export function issueLabelsJson(repo: RepoState, issueNumber: number, apiUrl: string): Array<Record<string, unknown>> {
  const keys = repo.issueLabels.get(issueNumber) ?? [];
  return keys.flatMap((key) => {
    const label = repo.labels.get(key);
    return label ? [labelJson(repo, label, apiUrl)] : [];
  });
}

export function fileJson(repo: RepoState, file: FakeFile, headSha: string, apiUrl: string): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const out: Record<string, unknown> = {
    sha: file.sha === undefined ? fakeSha("file", file.filename, file.patch ?? "") : file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.changes,
    blob_url: `${htmlBase(apiUrl)}/${fullName}/blob/${headSha}/${file.filename}`,
    raw_url: `${htmlBase(apiUrl)}/${fullName}/raw/${headSha}/${file.filename}`,
    contents_url: `${apiUrl}/repos/${fullName}/contents/${encodeURIComponent(file.filename)}?ref=${headSha}`,
  };
  if (file.patch !== undefined) out.patch = file.patch;
  if (file.previous_filename !== undefined) out.previous_filename = file.previous_filename;
  return out;
}

export function pullJson(repo: RepoState, pull: PullState, apiUrl: string): Record<string, unknown> {
  const { pr } = pull;
  const fullName = `${repo.owner}/${repo.name}`;
  const author: UserRef = { login: pr.user?.login ?? "octocat", type: pr.user?.type ?? "User" };
  const id = repo.id * 10_000 + pr.number;
  const branch = (ref: string, sha: string): Record<string, unknown> => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: userJson({ login: repo.owner, type: "User" }, apiUrl),
    repo: repoJson(repo, apiUrl),
  });
  const sum = (pick: (f: FakeFile) => number): number => pr.files.reduce((n, f) => n + pick(f), 0);
  return {
    url: `${apiUrl}/repos/${fullName}/pulls/${pr.number}`,
    id,
    node_id: nodeId("PullRequest", id),
    html_url: `${htmlBase(apiUrl)}/${fullName}/pull/${pr.number}`,
    diff_url: `${htmlBase(apiUrl)}/${fullName}/pull/${pr.number}.diff`,
    issue_url: `${apiUrl}/repos/${fullName}/issues/${pr.number}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title ?? `PR #${pr.number}`,
    user: userJson(author, apiUrl),
    body: pr.body ?? null,
    labels: issueLabelsJson(repo, pr.number, apiUrl),
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    draft: pr.draft ?? false,
    head: branch(pr.headRef, pr.headSha),
    base: branch(pr.baseRef, pr.baseSha),
    author_association: "CONTRIBUTOR",
    merged: false,
    mergeable: null,
    comments: repo.issueComments.filter((c) => c.issueNumber === pr.number).length,
    review_comments: repo.reviewComments.filter((c) => c.pullNumber === pr.number).length,
    commits: pull.shas.size,
    additions: sum((f) => f.additions),
    deletions: sum((f) => f.deletions),
    changed_files: pr.files.length,
  };
}

export function issueCommentJson(repo: RepoState, c: IssueCommentState, apiUrl: string): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: `${apiUrl}/repos/${fullName}/issues/comments/${c.id}`,
    html_url: `${htmlBase(apiUrl)}/${fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${apiUrl}/repos/${fullName}/issues/${c.issueNumber}`,
    body: c.body,
    user: userJson(c.user, apiUrl),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: c.user.type === "Bot" ? "NONE" : "CONTRIBUTOR",
    performed_via_github_app: c.user.login === BOT_USER.login ? { id: APP_ID, slug: APP_SLUG } : null,
  };
}

const REVIEW_STATE: Record<ReviewState["event"], string> = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
  PENDING: "PENDING",
};

export function reviewJson(repo: RepoState, r: ReviewState, apiUrl: string): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const out: Record<string, unknown> = {
    id: r.id,
    node_id: nodeId("PullRequestReview", r.id),
    user: userJson(r.user, apiUrl),
    body: r.body,
    state: REVIEW_STATE[r.event],
    html_url: `${htmlBase(apiUrl)}/${fullName}/pull/${r.pullNumber}#pullrequestreview-${r.id}`,
    pull_request_url: `${apiUrl}/repos/${fullName}/pulls/${r.pullNumber}`,
    commit_id: r.commitId,
    author_association: "NONE",
  };
  if (r.submittedAt !== undefined) out.submitted_at = r.submittedAt;
  return out;
}

export function reviewCommentJson(repo: RepoState, c: ReviewCommentState, apiUrl: string): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const out: Record<string, unknown> = {
    id: c.id,
    node_id: nodeId("PullRequestReviewComment", c.id),
    url: `${apiUrl}/repos/${fullName}/pulls/comments/${c.id}`,
    html_url: `${htmlBase(apiUrl)}/${fullName}/pull/${c.pullNumber}#discussion_r${c.id}`,
    pull_request_url: `${apiUrl}/repos/${fullName}/pulls/${c.pullNumber}`,
    pull_request_review_id: c.reviewId,
    diff_hunk: c.diffHunk,
    path: c.path,
    position: c.position ?? null,
    original_position: c.position ?? null,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    user: userJson(c.user, apiUrl),
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: "NONE",
    start_line: c.startLine ?? null,
    original_start_line: c.startLine ?? null,
    start_side: c.startSide ?? null,
    line: c.line,
    original_line: c.line,
    side: c.side,
    subject_type: "line",
  };
  if (c.inReplyToId !== undefined) out.in_reply_to_id = c.inReplyToId;
  return out;
}

export function checkRunJson(repo: RepoState, run: CheckRunState, apiUrl: string): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const pulls = [...repo.pulls.values()]
    .filter((p) => p.pr.headSha === run.headSha && p.pr.state === "open")
    .map((p) => ({
      url: `${apiUrl}/repos/${fullName}/pulls/${p.pr.number}`,
      id: repo.id * 10_000 + p.pr.number,
      number: p.pr.number,
      head: { ref: p.pr.headRef, sha: p.pr.headSha, repo: { id: repo.id, url: `${apiUrl}/repos/${fullName}`, name: repo.name } },
      base: { ref: p.pr.baseRef, sha: p.pr.baseSha, repo: { id: repo.id, url: `${apiUrl}/repos/${fullName}`, name: repo.name } },
    }));
  return {
    id: run.id,
    node_id: nodeId("CheckRun", run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url: `${apiUrl}/repos/${fullName}/check-runs/${run.id}`,
    html_url: `${htmlBase(apiUrl)}/${fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${htmlBase(apiUrl)}/apps/${APP_SLUG}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt ?? null,
    completed_at: run.completedAt ?? null,
    output: {
      title: run.output.title ?? null,
      summary: run.output.summary ?? null,
      text: run.output.text ?? null,
      annotations_count: run.annotations.length,
      annotations_url: `${apiUrl}/repos/${fullName}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: Number.parseInt(fakeSha("suite", run.headSha).slice(0, 7), 16) },
    app: appJson(apiUrl, run.app),
    pull_requests: pulls,
  };
}

export function reactionJson(r: ReactionState, apiUrl: string): Record<string, unknown> {
  return {
    id: r.id,
    node_id: nodeId("Reaction", r.id),
    user: userJson(r.user, apiUrl),
    content: r.content,
    created_at: r.createdAt,
  };
}
