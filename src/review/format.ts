import type { Finding, Severity } from "../types.js";
import { findingMarker } from "./finding-marker.js";

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

/** Text inside a markdown table cell: no pipes or line breaks. */
// Whitespace runs holding a newline become one space; `\s*\n\s*` retried every start of a long run (quadratic).
export const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, (ws) => (ws.includes("\n") ? " " : ws));

/**
 * The inline comment: badge and title, explanation, a ```suggestion block when the
 * fix is local (GitHub applies it on RIGHT lines only), and the hidden markers.
 */
export function formatComment(finding: Finding, fingerprint: string, dataMarker?: string): string {
  const parts = [`${badge(finding)} — **${finding.title}**`, finding.body.trim()];
  if (finding.suggestion !== undefined && finding.suggestion !== null) {
    const fence = finding.suggestion.includes("```") ? "````" : "```";
    parts.push(finding.side === "RIGHT" ? `${fence}suggestion\n${finding.suggestion}\n${fence}` : `Suggested fix:\n${fence}\n${finding.suggestion}\n${fence}`);
  }
  parts.push(`<sub>backend-agent · ${origin(finding)}</sub>`, findingMarker(fingerprint));
  // The data marker lets the next review read the finding back from GitHub.
  return [...parts, ...(dataMarker ? [dataMarker] : [])].join("\n\n");
}
