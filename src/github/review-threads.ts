import type { Octokit, PullRef } from "./octokit.js";

/** GitHub answers at most this many threads a page; a PR with more is rare and pages on. */
const PAGE = 100;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{ isResolved: boolean; comments: { nodes: Array<{ databaseId: number | null }> } }>;
      };
    } | null;
  } | null;
}

const QUERY = `query($owner: String!, $repo: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: ${PAGE}, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { isResolved comments(first: 1) { nodes { databaseId } } }
      }
    }
  }
}`;

/**
 * Ids (REST ids) of the first comments of the PR's resolved review threads.
 * REST does not say whether a thread is resolved; GraphQL does (with GHE at
 * `${GHE_PROTOCOL}://${GHE_HOST}/api/graphql`, which Probot's Octokit derives).
 */
export async function resolvedThreadRoots(octokit: Octokit, ref: PullRef): Promise<Set<number>> {
  const resolved = new Set<number>();
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const data: ThreadsPage = await octokit.graphql<ThreadsPage>(QUERY, { owner: ref.owner, repo: ref.repo, number: ref.pullNumber, after });
    const threads = data.repository?.pullRequest?.reviewThreads;
    if (!threads) break;
    for (const thread of threads.nodes) {
      const root = thread.comments.nodes[0]?.databaseId;
      if (thread.isResolved && typeof root === "number") resolved.add(root);
    }
    if (!threads.pageInfo.hasNextPage) break;
    after = threads.pageInfo.endCursor;
  }
  return resolved;
}
