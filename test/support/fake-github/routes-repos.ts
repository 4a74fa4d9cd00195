/**
 * App authentication, repository metadata, file contents, collaborator
 * permissions and comparisons.
 */
import { randomBytes } from "node:crypto";
import { json, notFound, paginate, type Reply, type Route, type RouteContext } from "./http.js";
import { appJson, fileJson, htmlBase, repoJson, userJson } from "./serialize.js";
import { APP_ID, DEFAULT_REF, blobSha, type RepoState } from "./state.js";
import type { FakePermission } from "./types.js";

const DOCS = {
  token: "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app",
  app: "https://docs.github.com/rest/apps/apps#get-the-authenticated-app",
  installation: "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app",
  repo: "https://docs.github.com/rest/repos/repos#get-a-repository",
  contents: "https://docs.github.com/rest/repos/contents#get-repository-content",
  permission: "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user",
  compare: "https://docs.github.com/rest/commits/commits#compare-two-commits",
  tarball: "https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar",
};

/** Looks up the repository named by the path, for handlers that 404 otherwise. */
export function repoOf(ctx: RouteContext): RepoState | undefined {
  return ctx.state.findRepo(ctx.params.owner ?? "", ctx.params.repo ?? "");
}

/** Strips `refs/` and `heads/` so "refs/heads/main", "heads/main" and "main" name one branch. */
export function normalizeRef(ref: string): string {
  return ref.replace(/^refs\//, "").replace(/^heads\//, "");
}

/** Storage key for files set at `ref` (undefined = default branch). */
export function refKey(repo: RepoState, ref: string | undefined): string {
  if (ref === undefined) return DEFAULT_REF;
  const normalized = normalizeRef(ref);
  return normalized === repo.defaultBranch ? DEFAULT_REF : normalized;
}

/**
 * Keys to read for a requested ref. A PR's base SHA is a commit of its base branch,
 * so when that branch is the default one it serves the default branch's files
 * (unless the test set files for that SHA explicitly).
 */
function lookupKeys(repo: RepoState, ref: string | undefined): string[] {
  const key = refKey(repo, ref);
  const keys = [key];
  if (key !== DEFAULT_REF) {
    for (const pull of repo.pulls.values()) {
      if (pull.pr.baseSha === key && pull.pr.baseRef === repo.defaultBranch) keys.push(DEFAULT_REF);
    }
  }
  return keys;
}

function acceptOf(ctx: RouteContext): string {
  const accept = ctx.headers.accept;
  return (Array.isArray(accept) ? accept.join(",") : (accept ?? "")).toLowerCase();
}

function getContents(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  if (!repo) return notFound(DOCS.contents);
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const fullName = `${repo.owner}/${repo.name}`;
  for (const key of lookupKeys(repo, ctx.query.ref)) {
    const files = repo.files.get(key);
    if (!files) continue;
    const refLabel = key === DEFAULT_REF ? repo.defaultBranch : key;
    const content = files.get(path);
    if (content !== undefined) {
      // `mediaType: { format: "raw" }` sends application/vnd.github.v3.raw; newer clients send vnd.github.raw(+json).
      if (/\.raw\b/.test(acceptOf(ctx))) {
        return { status: 200, text: content, contentType: "text/plain; charset=utf-8" };
      }
      return json(200, contentEntry(ctx, repo, path, content, refLabel, true));
    }
    // A directory: GitHub lists it as JSON whatever the accept header says.
    const prefix = `${path}/`;
    const entries = new Map<string, Record<string, unknown>>();
    for (const [filePath, fileContent] of files) {
      if (!filePath.startsWith(prefix)) continue;
      const rest = filePath.slice(prefix.length);
      const [first, ...more] = rest.split("/");
      if (!first) continue;
      const childPath = `${prefix}${first}`;
      if (more.length > 0) {
        entries.set(childPath, {
          type: "dir",
          name: first,
          path: childPath,
          sha: blobSha(childPath),
          size: 0,
          url: `${ctx.apiUrl}/repos/${fullName}/contents/${childPath}?ref=${encodeURIComponent(refLabel)}`,
        });
      } else {
        entries.set(childPath, contentEntry(ctx, repo, childPath, fileContent, refLabel, false));
      }
    }
    if (entries.size > 0) {
      return json(200, [...entries.values()].sort((a, b) => String(a.path).localeCompare(String(b.path))));
    }
  }
  return notFound(DOCS.contents);
}

function contentEntry(
  ctx: RouteContext,
  repo: RepoState,
  path: string,
  content: string,
  refLabel: string,
  withContent: boolean,
): Record<string, unknown> {
  const fullName = `${repo.owner}/${repo.name}`;
  const sha = blobSha(content);
  const entry: Record<string, unknown> = {
    type: "file",
    name: path.split("/").pop() ?? path,
    path,
    sha,
    size: Buffer.byteLength(content, "utf8"),
    url: `${ctx.apiUrl}/repos/${fullName}/contents/${path}?ref=${encodeURIComponent(refLabel)}`,
    html_url: `${htmlBase(ctx.apiUrl)}/${fullName}/blob/${refLabel}/${path}`,
    git_url: `${ctx.apiUrl}/repos/${fullName}/git/blobs/${sha}`,
    download_url: `${htmlBase(ctx.apiUrl)}/${fullName}/raw/${refLabel}/${path}`,
  };
  if (withContent) {
    // GitHub wraps the base64 at 60 columns; decoders must cope with the newlines.
    const b64 = Buffer.from(content, "utf8").toString("base64");
    entry.encoding = "base64";
    entry.content = `${(b64.match(/.{1,60}/g) ?? []).join("\n")}\n`;
  }
  return entry;
}

/** `permission` is the legacy base role: maintain reads as write, triage as read (role_name has the real one). */
const LEGACY_PERMISSION: Record<FakePermission, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

function getPermission(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  if (!repo) return notFound(DOCS.permission);
  const login = ctx.params.username ?? "";
  // A user with no grant on a public repository reads it: GitHub answers "read", not 404.
  const role = repo.permissions.get(login.toLowerCase()) ?? (repo.private ? "none" : "read");
  return json(200, {
    permission: LEGACY_PERMISSION[role],
    role_name: role,
    user: { ...userJson({ login, type: "User" }, ctx.apiUrl), role_name: role },
  });
}

function compare(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  if (!repo) return notFound(DOCS.compare);
  const [base, head] = (ctx.params.basehead ?? "").split("...");
  const files = base && head ? repo.comparisons.get(`${base}...${head}`) : undefined;
  if (!files || !base || !head) return notFound(DOCS.compare);
  const { page, headers } = paginate(files, ctx, 300);
  const info = repo.comparisonInfo.get(`${base}...${head}`) ?? { status: "ahead", aheadBy: 1, behindBy: 0 };
  return json(
    200,
    {
      url: `${ctx.apiUrl}/repos/${repo.owner}/${repo.name}/compare/${base}...${head}`,
      status: info.status,
      ahead_by: info.aheadBy,
      behind_by: info.behindBy,
      total_commits: info.aheadBy,
      base_commit: { sha: base },
      merge_base_commit: { sha: base },
      commits: [],
      files: page.map((f) => fileJson(repo, f, head, ctx.apiUrl)),
    },
    headers,
  );
}

/** Routes of this module. */
export const repoRoutes: Route[] = [
  {
    // GitHub answers 302 to codeload.github.com, which streams the archive (test/support/fake-tarball.ts serves it).
    method: "GET",
    template: "/repos/{owner}/{repo}/tarball/{+ref}",
    docs: DOCS.tarball,
    handle(ctx) {
      const location = repoOf(ctx) ? ctx.state.codeload?.(ctx.params.owner ?? "", ctx.params.repo ?? "", ctx.params.ref ?? "") : undefined;
      return location ? { status: 302, headers: { location } } : notFound(DOCS.tarball);
    },
  },
  {
    method: "POST",
    template: "/app/installations/{installation_id}/access_tokens",
    docs: DOCS.token,
    auth: "app",
    handle(ctx) {
      const token = `ghs_fake${randomBytes(16).toString("hex")}`;
      ctx.state.tokens.add(token);
      return json(201, {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: { checks: "write", contents: "read", issues: "write", metadata: "read", pull_requests: "write" },
        repository_selection: "all",
      });
    },
  },
  { method: "GET", template: "/app", docs: DOCS.app, auth: "app", handle: (ctx) => json(200, appJson(ctx.apiUrl)) },
  {
    method: "GET",
    template: "/app/installations/{installation_id}",
    docs: DOCS.app,
    auth: "app",
    handle: (ctx) =>
      json(200, {
        id: Number(ctx.params.installation_id),
        app_id: APP_ID,
        app_slug: "backend-agent",
        account: userJson({ login: "acme", type: "User" }, ctx.apiUrl),
        repository_selection: "all",
      }),
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/installation",
    docs: DOCS.installation,
    auth: "app",
    handle(ctx) {
      const repo = repoOf(ctx);
      if (!repo) return notFound(DOCS.installation);
      return json(200, {
        id: 1,
        app_id: APP_ID,
        app_slug: "backend-agent",
        account: userJson({ login: repo.owner, type: "User" }, ctx.apiUrl),
        repository_selection: "all",
      });
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}",
    docs: DOCS.repo,
    handle(ctx) {
      const repo = repoOf(ctx);
      return repo ? json(200, repoJson(repo, ctx.apiUrl)) : notFound(DOCS.repo);
    },
  },
  { method: "GET", template: "/repos/{owner}/{repo}/contents/{+path}", docs: DOCS.contents, handle: getContents },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/collaborators/{username}/permission",
    docs: DOCS.permission,
    handle: getPermission,
  },
  { method: "GET", template: "/repos/{owner}/{repo}/compare/{+basehead}", docs: DOCS.compare, handle: compare },
];
