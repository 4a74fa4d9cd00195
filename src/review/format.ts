import type { Finding, Severity } from "../domain/findings.js";
import { findingMarker } from "./finding-marker.js";
import { codeFence, neutralise, neutraliseInline } from "./neutralise.js";

const BADGE: Record<Severity, string> = {
  critical: "🛑 **Critical**",
  high: "🔴 **High**",
  medium: "🟠 **Medium**",
  low: "🟡 **Low**",
  info: "ℹ️ **Info**",
};


/** `🔴 **High** · security` */
export const badge = (finding: Finding) => `${BADGE[finding.severity]} · ${finding.category}`;

/** Where a finding points, for tables and lists: `path:12` or `path:10-12 (old)`. */
export function location(finding: Finding): string {
  const lines = finding.startLine ? `${finding.startLine}-${finding.line}` : `${finding.line}`;
  return `${finding.path}:${lines}${finding.side === "LEFT" ? " (old)" : ""}`;
}

/** Why it fired: the rule id, or the model with its confidence. */
const origin = (finding: Finding) =>
  finding.source === "model" ? `model · confidence ${finding.confidence.toFixed(2)}` : `rule \`${finding.source.slice(5)}\``;

/**
 * Text inside a markdown table cell: no line breaks, and every `|` escaped unless a
 * backslash already takes it (GitHub splits `\\|` after the escaped backslash).
 * Escapes nothing else: pass untrusted text through `neutraliseInline` or `codeSpan` first.
 */
export const cell = (text: string) => text.replace(/\r\n?|\n/g, " ").replace(/\\[^]|\|/g, (m) => (m === "|" ? "\\|" : m));

/**
 * The inline comment: badge and title, explanation, a ```suggestion block when the
 * fix is local (GitHub applies it on RIGHT lines only), and the hidden markers.
 * Title, body and suggestion are the model's (or a rule's) text: neutralised.
 */
export function formatComment(finding: Finding, fingerprint: string, dataMarker?: string): string {
  const parts = [`${badge(finding)} — **${neutraliseInline(finding.title)}**`, neutralise(finding.body.trim())];
  if (finding.suggestion !== undefined && finding.suggestion !== null) {
    parts.push(finding.side === "RIGHT" ? codeFence(finding.suggestion, "suggestion") : `Suggested fix:\n${codeFence(finding.suggestion)}`);
  }
  parts.push(`<sub>backend-agent · ${origin(finding)}</sub>`, findingMarker(fingerprint));
  // The data marker lets the next review read the finding back from GitHub.
  return [...parts, ...(dataMarker ? [dataMarker] : [])].join("\n\n");
}
