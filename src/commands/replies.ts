import { redactText } from "../diff/redact.js";
import { asBlockquote, neutralise } from "../review/neutralise.js";
import { safeSlice } from "../diff/line-cap.js";
import { postComment } from "../github/comments.js";
import type { Octokit } from "../github/octokit.js";
import type { CommandJob } from "../jobs/queue.js";

/** Longest part of a request quoted back in a reply. */
const MAX_QUOTE_CHARS = 600;
/**
 * What is scanned for secrets before the quote is cut to {@link MAX_QUOTE_CHARS}:
 * enough past the cut that a secret straddling it is recognised and hidden whole,
 * and bounded, so a long comment costs nothing more.
 */
const QUOTE_SCAN_CHARS = 2_000;

/**
 * The hidden marker every bot comment ends with. The handlers ignore comments
 * that carry it, so the bot never answers itself; `kind` lets it find its own
 * earlier notices (e.g. `denied:<login>`).
 */
export const replyMarker = (agentName: string, kind = "reply") => `<!-- ${agentName}:${kind} -->`;

/** The prefix shared by all markers of an agent. */
export const markerPrefix = (agentName: string) => `<!-- ${agentName}:`;

/**
 * The request as a markdown quote: cut to {@link QUOTE_SCAN_CHARS}, redacted (a
 * comment can hold a pasted secret), then cut to a readable length and neutralised (anyone can comment).
 */
export function quoteRequest(request: string): string {
  const text = redactText(safeSlice(request, QUOTE_SCAN_CHARS)).text;
  const cut = text.length > MAX_QUOTE_CHARS ? `${safeSlice(text, MAX_QUOTE_CHARS)}…` : text;
  return asBlockquote(neutralise(cut));
}

/** A reply: the quoted request, the text, and the marker. */
export function formatReply(agentName: string, request: string, text: string, kind?: string): string {
  return `${quoteRequest(request)}\n\n${text}\n\n${replyMarker(agentName, kind)}`;
}

/** Posts `text` as the reply to the command: quoting it, in its review thread when it came from one. */
export function replyToCommand(octokit: Octokit, job: CommandJob, agentName: string, text: string): Promise<number> {
  return postComment(octokit, {
    owner: job.owner, repo: job.repo, pullNumber: job.pullNumber,
    body: formatReply(agentName, job.command.request, text), inReplyTo: job.source.type === "review-comment" ? job.source.commentId : undefined,
  });
}
