/**
 * Untrusted text shown literally on GitHub: inline code spans and fenced blocks
 * whose backtick runs are longer than any inside, so the content cannot end them,
 * with the app's hidden-marker shape broken. The prose side is neutralise.ts.
 */

/** Longest untrusted text handled (GitHub's comment limit): the rest is cut before scanning. */
export const MAX_UNTRUSTED_CHARS = 65_536;

/** Zero-width space: splits `<!--`, `@name` and `#1` for GitHub without changing what a reader sees. */
export const ZWSP = "\u200B";

/** Untrusted text cut to {@link MAX_UNTRUSTED_CHARS} before anything scans it. */
export const cut = (text: string) => (text.length > MAX_UNTRUSTED_CHARS ? `${text.slice(0, MAX_UNTRUSTED_CHARS)}…` : text);

/**
 * Breaks anything shaped like one of the app's hidden markers (`<!-- name:…`) in
 * text GitHub shows literally (code). A zero-width space after `<` leaves the code
 * readable; a plain HTML comment in code (`<!-- TODO -->`) is left alone.
 */
export function breakMarkers(code: string): string {
  return code.replace(/<!--(?=\s*[\w.-]+:)/g, `<${ZWSP}!--`);
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * Untrusted text as an inline code span: rendered literally (no HTML, mentions or
 * links), on one line, delimited by a backtick run longer than any inside it, so
 * a path or value full of backticks cannot end it early. For a table cell, pass
 * the result through `cell()` (GitHub unescapes `\|` inside code in tables).
 */
export function codeSpan(text: string): string {
  const content = breakMarkers(cut(text).replace(/\r\n?|\n/g, " "));
  if (content === "") return "` `";
  const ticks = "`".repeat(longestRun(content, "`") + 1);
  // GitHub strips one space from each end when both have one: the padding is what it strips.
  const pad = content.startsWith("`") || content.endsWith("`") || (content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "") ? " " : "";
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/** Fence info strings GitHub renders as something other than code, or as an applicable change. */
const RENDERED_INFO = new Set(["suggestion", "mermaid", "geojson", "topojson", "stl", "math"]);

/** A fence's info string reduced to a language name; one GitHub would render or apply becomes `text`. */
export function safeInfo(info: string): string {
  const word = /^[\w+#.-]{1,40}/.exec(info.trim())?.[0] ?? "";
  return RENDERED_INFO.has(word.toLowerCase()) ? "text" : word;
}

/**
 * Untrusted text as a fenced code block: its fence is longer than any backtick run
 * inside, so no line of the content can close it. `info` is the app's own (e.g.
 * `suggestion`), not sanitised. Content is otherwise left as is, since a
 * `suggestion` is applied verbatim.
 */
export function codeFence(content: string, info = ""): string {
  const fence = "`".repeat(Math.max(3, longestRun(content, "`") + 1));
  return `${fence}${info}\n${breakMarkers(cut(content))}\n${fence}`;
}
