/**
 * Where a cached snapshot's files come from on GitHub: the commit's tarball (one
 * API call; GitHub answers 302 to codeload.github.com, which fetch follows and
 * which streams a gzip tar whose entries sit under `owner-repo-sha7/`), and, when
 * the tarball is over the snapshot's cap, the commit's recursive tree (one more
 * call) so that every path is still listed.
 */
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";

/** The one Octokit method used: Probot's and `@octokit/rest`'s both fit. */
export interface RequestOctokit {
  request(route: string, options?: Record<string, unknown>): Promise<{ data: unknown }>;
}

/** A commit of a repository. */
export interface CommitRef {
  owner: string;
  repo: string;
  /** The full 40-hex commit SHA: a branch name would move under the cache. */
  sha: string;
}

/** One path of a commit's tree. */
export interface TreeFile {
  path: string;
  size: number;
  /** A symlink or a submodule: listed, never followed. */
  link: boolean;
}

/** Fetches a commit's content; each method is one GitHub API call. */
export interface SnapshotSource {
  tarball(): Promise<AsyncIterable<Uint8Array>>;
  tree(): Promise<{ files: TreeFile[]; truncated: boolean }>;
}

interface GitTreeEntry {
  path?: string;
  type?: string;
  mode?: string;
  size?: number;
}

/** The source of `ref` through an installation's Octokit. */
export function githubSource(octokit: RequestOctokit, ref: CommitRef): SnapshotSource {
  return {
    async tarball() {
      const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        owner: ref.owner,
        repo: ref.repo,
        ref: ref.sha,
        // Stream: a repository's tarball can be hundreds of MB.
        request: { parseSuccessResponseBody: false },
      });
      return Readable.fromWeb(response.data as ReadableStream<Uint8Array>);
    },
    async tree() {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
        owner: ref.owner,
        repo: ref.repo,
        tree_sha: ref.sha,
        recursive: "1",
      });
      const body = data as { tree?: GitTreeEntry[]; truncated?: boolean };
      const files = (body.tree ?? [])
        .filter((e) => e.type === "blob" || e.type === "commit")
        .map((e) => ({ path: e.path ?? "", size: e.size ?? 0, link: e.type === "commit" || e.mode === "120000" }));
      return { files, truncated: body.truncated === true };
    },
  };
}
