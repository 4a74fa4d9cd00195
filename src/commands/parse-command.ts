import { cutText, safeSlice } from "../diff/line-cap.js";

/** A slash command as written in a comment, after parsing. Plain data: it travels in a job. */
export type SlashCommand =
  | { name: "review" | "security" | "help" | "ignore"; request: string }
  | { name: "ask"; question: string; request: string }
  | { name: "skip"; reason: string; request: string }
  | { name: "unknown"; word: string; request: string };

/** Longest skip reason kept: cut before anything scans or posts it. */
export const MAX_SKIP_REASON_CHARS = 300;

/** Where the comment was written: a thread takes any text after the command as a question. */
export interface ParseOptions {
  thread?: boolean;
}

/** GitHub's limit on a comment body. */
const MAX_COMMENT_CHARS = 65_536;
/** A question longer than this is cut (with a visible marker) before it is redacted and sent to the model. */
export const MAX_QUESTION_CHARS = 4_000;
/** The request is only ever quoted (600 characters, scanned up to 2,000): keep no more. */
const MAX_REQUEST_CHARS = 2_000;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const QUOTE = /^ {0,3}>/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Lines of `body` that are ordinary text: not in a fenced or indented code block,
 * a block quote (with its lazy continuation lines) or an HTML comment — a command
 * quoted from someone else or shown as an example must not run.
 */
function textLines(body: string): Array<{ index: number; line: string }> {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const out: Array<{ index: number; line: string }> = [];
  let fence: string | undefined;
  let inHtmlComment = false;
  let inQuote = false;
  lines.forEach((line, index) => {
    const blank = line.trim() === "";
    if (fence !== undefined) {
      const close = FENCE.exec(line);
      if (close?.[1] && close[1][0] === fence[0] && close[1].length >= fence.length && line.slice(close[0].length).trim() === "") fence = undefined;
      return;
    }
    if (inHtmlComment) {
      if (line.includes("-->")) inHtmlComment = false;
      return;
    }
    const open = FENCE.exec(line);
    if (open?.[1]) {
      fence = open[1];
      inQuote = false;
      return;
    }
    if (/^ {0,3}<!--/.test(line)) {
      inHtmlComment = !line.includes("-->");
      return;
    }
    if (QUOTE.test(line)) {
      inQuote = true;
      return;
    }
    // Markdown keeps a non-blank line right after a quote inside the quote ("lazy continuation").
    if (inQuote && !blank) return;
    inQuote = false;
    out.push({ index, line });
  });
  return out;
}

/** The command line of `/<name>`: up to three spaces of indent, any case; group 1 is the rest of the line. */
export function commandPattern(name: string): RegExp {
  return new RegExp(`^ {0,3}/${escapeRegExp(name)}(?=\\s|$)(.*)$`, "i");
}

/**
 * Finds the first line that starts with `/<name>` (up to three spaces of indent,
 * any case) outside code, quotes and HTML comments, and reads its sub-command:
 * none or `review`, `security`, `help`, `ignore`, `ask <question>` (the question may go on
 * over the next lines), `skip <reason>` (the reason likewise, cut to {@link MAX_SKIP_REASON_CHARS}). Text after other sub-commands is ignored. A mention
 * mid-sentence is not a command. In a review-comment thread, unknown words are
 * the start of a question. Returns undefined when the comment holds no command.
 */
export function parseCommand(input: string, name: string, options: ParseOptions = {}): SlashCommand | undefined {
  // GitHub stores at most 65,536 characters a comment: nothing longer is read.
  const body = safeSlice(input, MAX_COMMENT_CHARS);
  const command = commandPattern(name);
  const all = body.replace(/\r\n?/g, "\n").split("\n");
  for (const { index, line } of textLines(body)) {
    const match = command.exec(line);
    if (!match) continue;
    const rest = (match[1] ?? "").trim();
    const word = rest.split(/\s+/)[0] ?? "";
    const sub = word.toLowerCase();
    const later = all.slice(index + 1).join("\n");
    const firstLine = line.trim();
    if (sub === "" || sub === "review") return { name: "review", request: firstLine };
    if (sub === "security" || sub === "help" || sub === "ignore") return { name: sub, request: firstLine };
    const questionFrom = (text: string) => `${text}\n${later}`.trim();
    if (sub === "skip") {
      const reason = `${rest.slice(word.length)}\n${later}`.slice(0, MAX_SKIP_REASON_CHARS * 2).replace(/\s+/g, " ").trim().slice(0, MAX_SKIP_REASON_CHARS);
      return { name: "skip", reason, request: firstLine };
    }
    if (sub === "ask") {
      const question = questionFrom(rest.slice(word.length).trim());
      return { name: "ask", question: cutText(question, MAX_QUESTION_CHARS), request: cutText(`${firstLine}\n${later}`.trim(), MAX_REQUEST_CHARS) };
    }
    if (options.thread) return { name: "ask", question: cutText(questionFrom(rest), MAX_QUESTION_CHARS), request: cutText(`${firstLine}\n${later}`.trim(), MAX_REQUEST_CHARS) };
    return { name: "unknown", word, request: firstLine };
  }
  return undefined;
}
