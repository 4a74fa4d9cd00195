import type { Octokit, PullRef } from "./octokit.js";

/** GitHub answers at most this many threads a page; a PR with more is rare and pages on. */
const PAGE = 100;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{ isResolved: boolean; resolvedBy?: { login: string } | null; comments: { nodes: Array<{ databaseId: number | null }> } }>;
      };
    } | null;
  } | null;
}

const QUERY = `query($owner: String!, $repo: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: ${PAGE}, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { isResolved resolvedBy { login } comments(first: 1) { nodes { databaseId } } }
      }
    }
  }
}`;

/**
 * The PR's resolved review threads: the REST id of each one's first comment → the
 * login of who resolved it (undefined when GitHub does not say, e.g. a deleted
 * account: such a resolution cannot be checked and does not count).
 * REST does not say whether a thread is resolved; GraphQL does (with GHE at
 * `${GHE_PROTOCOL}://${GHE_HOST}/api/graphql`, which Probot's Octokit derives).
 */
export async function resolvedThreads(octokit: Octokit, ref: PullRef): Promise<Map<number, string | undefined>> {
  const resolved = new Map<number, string | undefined>();
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const data: ThreadsPage = await octokit.graphql<ThreadsPage>(QUERY, { owner: ref.owner, repo: ref.repo, number: ref.pullNumber, after });
    const threads = data.repository?.pullRequest?.reviewThreads;
    if (!threads) break;
    for (const thread of threads.nodes) {
      const root = thread.comments.nodes[0]?.databaseId;
      if (thread.isResolved && typeof root === "number") resolved.set(root, thread.resolvedBy?.login ?? undefined);
    }
    if (!threads.pageInfo.hasNextPage) break;
    after = threads.pageInfo.endCursor;
  }
  return resolved;
}
