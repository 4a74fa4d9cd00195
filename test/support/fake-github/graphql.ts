/**
 * The one GraphQL query the app makes, answered from the fake's state: a PR's
 * review threads with `isResolved`, `resolvedBy { login }` and the `databaseId` of their first comment
 * (REST does not say whether a thread is resolved). Anything else gets GraphQL's
 * error shape, so an unexpected query fails loudly.
 */
import { asRecord, json, type Reply } from "./http.js";
import type { FakeState } from "./state.js";

/** Answers `POST /api/graphql` for `repository(owner:, name:) { pullRequest(number:) { reviewThreads … } }`. */
export function answerGraphql(state: FakeState, body: unknown): Reply {
  const request = asRecord(body) ?? {};
  const query = typeof request.query === "string" ? request.query : "";
  const variables = asRecord(request.variables) ?? {};
  if (!/reviewThreads/.test(query) || !/pullRequest/.test(query)) {
    return json(200, { data: null, errors: [{ message: "fake-github: only the reviewThreads query is supported" }] });
  }
  const owner = String(variables.owner ?? "");
  const name = String(variables.repo ?? variables.name ?? "");
  const number = Number(variables.number ?? variables.pullNumber);
  const repo = state.findRepo(owner, name);
  const pull = repo?.pulls.get(number);
  if (!repo || !pull) {
    return json(200, { data: { repository: null }, errors: [{ type: "NOT_FOUND", message: `Could not resolve to a PullRequest with the number of ${number}.` }] });
  }
  const roots = repo.reviewComments.filter((c) => c.pullNumber === number && c.inReplyToId === undefined);
  const nodes = roots.map((c) => ({
    isResolved: repo.resolvedThreads.has(c.id),
    resolvedBy: repo.resolvedThreads.has(c.id) ? { login: repo.resolvedThreads.get(c.id) } : null,
    isOutdated: false,
    comments: { nodes: [{ databaseId: c.id }] },
  }));
  return json(200, {
    data: { repository: { pullRequest: { reviewThreads: { totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } },
  });
}
