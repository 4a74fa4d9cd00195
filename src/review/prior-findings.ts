import type { PullReviewComment } from "../github/review-comments.js";
import { readFindingData, readIgnored, type FindingData } from "./finding-marker.js";

/** A finding the bot posted on this PR earlier, as read back from its own review comment. */
export interface PriorFinding {
  data: FindingData;
  /** The review comment that carries it (the thread's first comment). */
  commentId: number;
  /** `resolved`: a person resolved its thread; `ignored`: `/backend-agent ignore` was answered in it. */
  state: "posted" | "resolved" | "ignored";
}

/**
 * The bot's earlier findings on the PR: its own thread-starting review comments
 * with a finding marker, each with whether a person resolved the thread or had it
 * ignored. A marker in someone else's comment counts for nothing: only a bot's
 * comments are read, so a PR author cannot forge "already posted".
 */
export function priorFindings(comments: readonly PullReviewComment[], resolvedRoots: ReadonlySet<number>): PriorFinding[] {
  const ignoredRoots = new Set<number>();
  const ignoredFingerprints = new Set<string>();
  for (const c of comments) {
    if (!c.isBot) continue;
    const ignored = readIgnored(c.body);
    if (ignored.length === 0) continue;
    if (c.inReplyTo !== undefined) ignoredRoots.add(c.inReplyTo);
    for (const fp of ignored) ignoredFingerprints.add(fp);
  }
  const found = new Map<string, PriorFinding>();
  for (const c of comments) {
    if (!c.isBot || c.inReplyTo !== undefined) continue;
    const data = readFindingData(c.body);
    if (!data) continue;
    const state = ignoredRoots.has(c.id) || ignoredFingerprints.has(data.fp) ? "ignored" : resolvedRoots.has(c.id) ? "resolved" : "posted";
    // The same fingerprint twice (posted before this dedupe existed): a closed thread wins over an open one.
    const earlier = found.get(data.fp);
    if (!earlier || (earlier.state === "posted" && state !== "posted")) found.set(data.fp, { data, commentId: c.id, state });
  }
  return [...found.values()];
}
