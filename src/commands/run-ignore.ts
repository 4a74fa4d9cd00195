import type { Octokit, PullRef } from "../github/octokit.js";
import { listReviewComments } from "../github/review-comments.js";
import { ignoredMarker, readFindingData } from "../review/finding-marker.js";
import { neutraliseInline } from "../review/neutralise.js";

/**
 * `/<name> ignore` in reply to one of the bot's findings: the reply text, which
 * carries the finding's `ignored` marker. That reply, on GitHub, is the record:
 * every later review reads it back and neither raises the finding again nor
 * counts it as open. Anywhere else, the reply says where the command works.
 */
export async function runIgnore(octokit: Octokit, pull: PullRef, source: { type: "issue-comment" | "review-comment"; commentId: number }, name: string): Promise<string> {
  const where = `Reply \`/${name} ignore\` in the thread of the finding you want ignored.`;
  if (source.type !== "review-comment") return `\`/${name} ignore\` works in a review thread only. ${where}`;
  const comments = await listReviewComments(octokit, pull);
  const own = comments.find((c) => c.id === source.commentId);
  const rootId = own?.inReplyTo ?? source.commentId;
  const root = comments.find((c) => c.id === rootId);
  const data = root?.isBot ? readFindingData(root.body) : undefined;
  if (!data) return `This thread is not one of my findings. ${where}`;
  return `Ignored: **${neutraliseInline(data.title)}** (${data.severity} · ${data.category}) will not be raised again on this pull request and no longer counts toward the check and the label from the next review on.\n\n${ignoredMarker(data.fp)}`;
}
