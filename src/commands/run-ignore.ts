import { isOwnLogin, type AppIdentity } from "../github/app-identity.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import type { RepoRole } from "../github/permissions.js";
import { listReviewComments } from "../github/review-comments.js";
import { mayDismiss } from "../review/dismissal-policy.js";
import { ignoredMarker, readFindingData } from "../review/finding-marker.js";
import { neutraliseInline } from "../review/neutralise.js";
import type { PullMarkerSigner } from "../review/marker-signer.js";

/** Who asks, and what decides whether they may dismiss a finding. */
export interface IgnoreTrust {
  app: AppIdentity;
  /** This PR's marker signer. */
  signer: PullMarkerSigner;
  /** The command author's role (permission API). */
  role: RepoRole;
  prAuthor: string;
  allowAuthorDismiss: boolean;
}

/**
 * `/<name> ignore` in reply to one of the bot's findings: the reply text, which
 * carries the finding's signed `ignored` marker naming who dismissed it. That
 * reply, on GitHub, is the record: every later review reads it back and neither
 * raises the finding again nor counts it as open. Only someone with write
 * permission who is not the PR's author (unless `allowAuthorDismiss`) may; anyone
 * else, or anywhere else, gets a reply saying why nothing was dismissed.
 */
export async function runIgnore(
  octokit: Octokit,
  pull: PullRef,
  source: { type: "issue-comment" | "review-comment"; commentId: number; author: string },
  name: string,
  trust: IgnoreTrust,
): Promise<string> {
  const where = `Reply \`/${name} ignore\` in the thread of the finding you want ignored.`;
  if (source.type !== "review-comment") return `\`/${name} ignore\` works in a review thread only. ${where}`;
  const verdict = mayDismiss({ login: source.author, role: trust.role, prAuthor: trust.prAuthor, allowAuthorDismiss: trust.allowAuthorDismiss });
  if (!verdict.allowed) {
    return verdict.reason === "author"
      ? `Nothing was ignored: the author of a pull request cannot dismiss its findings (\`allowAuthorDismiss\` is off). Someone else with write permission can reply \`/${name} ignore\` here or resolve the thread.`
      : `Nothing was ignored: only people with write permission on this repository can dismiss a finding.`;
  }
  const comments = await listReviewComments(octokit, pull);
  const own = comments.find((c) => c.id === source.commentId);
  const rootId = own?.inReplyTo ?? source.commentId;
  const root = comments.find((c) => c.id === rootId);
  const data = root && isOwnLogin(trust.app, root.author) ? readFindingData(root.body, trust.signer) : undefined;
  if (!data) return `This thread is not one of my findings. ${where}`;
  return `Ignored: **${neutraliseInline(data.title)}** (${data.severity} · ${data.category}) will not be raised again on this pull request and no longer counts toward the check and the label from the next review on.\n\n${ignoredMarker({ fp: data.fp, by: source.author }, trust.signer)}`;
}
