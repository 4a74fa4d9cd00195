import { redactText } from "../diff/redact.js";
import { asBlockquote, neutralise } from "../review/neutralise.js";

/** Longest part of a request quoted back in a reply. */
const MAX_QUOTE_CHARS = 600;

/**
 * The hidden marker every bot comment ends with. The handlers ignore comments
 * that carry it, so the bot never answers itself; `kind` lets it find its own
 * earlier notices (e.g. `denied:<login>`).
 */
export const replyMarker = (agentName: string, kind = "reply") => `<!-- ${agentName}:${kind} -->`;

/** The prefix shared by all markers of an agent. */
export const markerPrefix = (agentName: string) => `<!-- ${agentName}:`;

/** The request as a markdown quote: redacted (a comment can hold a pasted secret), cut to a readable length, and neutralised (anyone can comment). */
export function quoteRequest(request: string): string {
  const text = redactText(request).text;
  const cut = text.length > MAX_QUOTE_CHARS ? `${text.slice(0, MAX_QUOTE_CHARS)}…` : text;
  return asBlockquote(neutralise(cut));
}

/** A reply: the quoted request, the text, and the marker. */
export function formatReply(agentName: string, request: string, text: string, kind?: string): string {
  return `${quoteRequest(request)}\n\n${text}\n\n${replyMarker(agentName, kind)}`;
}
