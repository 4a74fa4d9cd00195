import { isOwnLogin, type AppIdentity } from "../github/app-identity.js";
import type { PullReviewComment } from "../github/review-comments.js";
import { readFindingData, readIgnored, type PriorFinding } from "./finding-marker.js";
import type { PullMarkerSigner } from "./marker-signer.js";

/** How to tell the app's own, genuine markers. */
export interface PriorFindingsInput {
  app: Pick<AppIdentity, "botLogin">;
  /** This PR's marker signer: a marker signed for another PR, or not at all, is ignored. */
  signer: PullMarkerSigner;
  /** Roots of resolved threads whose resolution counts (resolved by someone allowed) → who resolved them. */
  resolved?: ReadonlyMap<number, string> | undefined;
}

/**
 * The bot's earlier findings on the PR: its own thread-starting review comments
 * with a validly signed finding marker, each with whether someone allowed resolved
 * the thread or had it ignored. Only comments authored by this app's login are read
 * (any other bot, or a person, can write the same text), and only markers whose MAC
 * is valid for this PR count (the app itself may have quoted someone's text).
 */
export function priorFindings(comments: readonly PullReviewComment[], input: PriorFindingsInput): PriorFinding[] {
  const own = comments.filter((c) => isOwnLogin(input.app, c.author));
  const ignoredRoots = new Map<number, string>();
  const ignoredFingerprints = new Map<string, string>();
  for (const c of own) {
    for (const ignored of readIgnored(c.body, input.signer)) {
      if (c.inReplyTo !== undefined) ignoredRoots.set(c.inReplyTo, ignored.by);
      ignoredFingerprints.set(ignored.fp, ignored.by);
    }
  }
  const found = new Map<string, PriorFinding>();
  for (const c of own) {
    if (c.inReplyTo !== undefined) continue;
    const data = readFindingData(c.body, input.signer);
    if (!data) continue;
    const ignoredBy = ignoredRoots.get(c.id) ?? ignoredFingerprints.get(data.fp);
    const resolvedBy = input.resolved?.get(c.id);
    const prior: PriorFinding =
      ignoredBy !== undefined
        ? { data, commentId: c.id, state: "ignored", dismissedBy: ignoredBy }
        : resolvedBy !== undefined
          ? { data, commentId: c.id, state: "resolved", dismissedBy: resolvedBy }
          : { data, commentId: c.id, state: "posted" };
    // The same fingerprint twice (posted before this dedupe existed): a closed thread wins over an open one.
    const earlier = found.get(data.fp);
    if (!earlier || (earlier.state === "posted" && prior.state !== "posted")) found.set(data.fp, prior);
  }
  return [...found.values()];
}
