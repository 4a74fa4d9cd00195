/**
 * Bounds on untrusted text, applied before anything scans it. A PR author or a
 * commenter controls the length of every line we read; without a cap, a single
 * 20,000-character line multiplies the cost of every per-line pass (secret scan,
 * rules, rendering) and fills the model's context with noise.
 *
 * Why 4,000: Django source lines are far shorter (Black wraps at 88); lines past a
 * few thousand characters are minified assets, data blobs or generated code, where
 * the first 4,000 characters (~1,100 tokens) say all a reviewer can use. A one-line
 * PEM literal of an RSA-4096 key (~3,300 characters) still fits whole, so its END
 * marker stays on the line for the secret scan.
 */

/** Characters of a line that are kept (shown to the model, quoted, posted). */
export const LINE_CAP = 4_000;

/**
 * Characters of a long line that are scanned: the kept part plus a look-ahead, so
 * a secret that starts before the cut and ends after it is still recognised and
 * hidden whole (a generic secret's value is at most 500 characters).
 */
export const LINE_SCAN_CHARS = LINE_CAP + 1_000;

/** The visible note that replaces the end of a cut line or text. */
export const cutMarker = (chars: number): string => `… <cut: ${chars} chars>`;

/** `text.slice(0, end)`, moved back one unit rather than splitting a surrogate pair. */
export function safeSlice(text: string, end: number): string {
  if (end >= text.length) return text;
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/**
 * A line as it may be scanned: at most {@link LINE_SCAN_CHARS} characters, and how
 * many characters past {@link LINE_CAP} the original had (0 when it is not cut).
 */
export function windowLine(text: string): { text: string; cut: number } {
  if (text.length <= LINE_CAP) return { text, cut: 0 };
  return { text: safeSlice(text, LINE_SCAN_CHARS), cut: text.length - LINE_CAP };
}

/** `text` cut to `max` characters with a visible {@link cutMarker} when it is longer. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept = safeSlice(text, max);
  return `${kept}${cutMarker(text.length - kept.length)}`;
}
