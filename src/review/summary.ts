import { formatCost } from "../engine/pricing.js";
import type { ToolTotals } from "../engine/tool-loop.js";
import type { TokenUsage } from "../engine/review-engine.js";
import { SEVERITIES, type Finding } from "../domain/findings.js";
import { dismissalLines, type Dismissal } from "./dismissals.js";
import { openMarker, type FindingData } from "./finding-marker.js";
import type { FindingIdentity } from "../domain/fingerprint.js";
import { badge, cell, location } from "./format.js";
import { renderIncomplete } from "./incomplete-review.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { asBlockquote, codeSpan, neutralise, neutraliseInline } from "./neutralise.js";
import { heldSummary, rejectedSummary, type RejectedCandidate } from "../rules/candidates.js";

/** A finding as reported: where it ended up, and its id. */
export interface ReportedFinding {
  finding: Finding;
  fingerprint: string;
  /** Inline comment, or listed only (with the reason it could not be inline). */
  inline: boolean;
  reason?: string | undefined;
  /** With history: `new` in this review, or `open` since an earlier one (already posted). */
  status?: "new" | "open" | undefined;
  identity?: FindingIdentity | undefined;
}

/** What earlier reviews of the PR said, and what became of it. */
export interface ReviewHistory {
  /** Posted earlier; their code changed or left the diff. */
  fixed: FindingData[];
  /** Found again now but not posted: their thread was resolved or `ignore`d. */
  suppressed: number;
  /** The commit the model's review started from (`last...head`), or undefined for a full review. */
  since?: string | undefined;
}

/** Everything the check summary tells. */
export interface ReviewReport {
  findings: ReportedFinding[];
  reviewed: string[];
  /** Files whose diff the deterministic rules and the secret scan read (skipped ones included); may exceed `reviewed` when the model did not get to some. */
  rulesRead?: number | undefined;
  /** Skipped on purpose (globs: the rules still ran; nothing to review): not a gap. */
  skipped: Array<{ path: string; reason: string }>;
  /** Files in `paths` nobody reviewed (model failure, budget, no patch), with the reason: the review is incomplete. */
  unreviewed: Array<{ path: string; reason: string }>;
  /** Changed files beyond GitHub's 3,000-file listing: names unknown, counted as unreviewed. */
  unlisted?: number | undefined;
  model: string;
  /** Where the model ran (`Amazon Bedrock`), when it ran. */
  provider?: string | undefined;
  usage: TokenUsage;
  modelCalls: number;
  chunks: number;
  /** Estimated from the price table in src/engine/pricing.ts. */
  costUsd: number;
  agentSource: string;
  /** What the model's tools did (turns, files read, tokens), when they were offered. */
  tools?: ToolTotals | undefined;
  /** The project instruction files in the system prompt (default branch). */
  instructionFiles?: string[] | undefined;
  /** Findings of the model's answers dropped as malformed (the note says why); the rest of their chunks counted. */
  droppedFindings?: number | undefined;
  /** Parts of the review that did not run (a chunk's model call failed...). */
  problems: string[];
  notes: string[];
  /** Set by the App's reviews, which know what was posted before. */
  history?: ReviewHistory | undefined;
  /** Who dismissed which earlier finding, and thread resolutions that did not count. */
  dismissals?: Dismissal[] | undefined;
  /** The rules' hits the model was asked about in requests it answered, when any: how many it confirmed, those it rejected (not posted) with its reason. */
  confirmation?: { offered: number; confirmed: number; rejected: RejectedCandidate[]; malformed: number } | undefined;
  /** Hits of rules posted only once the model confirms them, which no verdict confirmed: listed, not posted. */
  held?: RejectedCandidate[] | undefined;
}

/** `1 call`, `2 calls`. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `2 high, 1 medium` or `no findings`. */
export function countLine(findings: readonly ReportedFinding[]): string {
  const counts = SEVERITIES.map((s) => [s, findings.filter((f) => f.finding.severity === s).length] as const).filter(([, n]) => n > 0);
  return counts.length ? counts.map(([s, n]) => `${n} ${s}`).join(", ") : "no findings";
}

/** The findings as one markdown table (its rows joined by single newlines, or GitHub breaks it). */
function findingsTable(findings: readonly ReportedFinding[]): string[] {
  if (findings.length === 0) return [];
  const rows = findings.map(
    (f) => `| ${badge(f.finding)} | ${cell(codeSpan(location(f.finding)))} | ${cell(neutraliseInline(f.finding.title))} | ${f.status === "open" ? "still open" : f.inline ? "inline" : cell(neutraliseInline(f.reason ?? "listed here"))} |`,
  );
  return [["| Severity | Where | Finding | |", "|---|---|---|---|", ...rows].join("\n")];
}

function listed(findings: readonly ReportedFinding[]): string[] {
  const notInline = findings.filter((f) => !f.inline);
  if (notInline.length === 0) return [];
  return [
    "### Not posted inline",
    ...notInline.map((f) => `- ${badge(f.finding)} ${codeSpan(location(f.finding))} — **${neutraliseInline(f.finding.title)}** (${neutraliseInline(f.reason ?? "")})\n\n  ${neutralise(f.finding.body.trim()).replace(/\n/g, "\n  ")}`),
  ];
}

/** New / still open / fixed, and what the review covered, when earlier reviews exist. */
function historyLines(report: ReviewReport): string[] {
  const h = report.history;
  if (!h) return [];
  const fresh = report.findings.filter((f) => f.status !== "open").length;
  const open = report.findings.filter((f) => f.status === "open").length;
  const scope = h.since ? `Reviewed the changes since ${codeSpan(h.since.slice(0, 7))}.` : "Reviewed the whole pull request.";
  const suppressed = h.suppressed ? ` · ${h.suppressed} not raised again (thread resolved or ignored)` : "";
  const fixed = h.fixed.length
    ? [`### Fixed since the last review\n\n${h.fixed.map((f) => `- ~~${neutraliseInline(f.title)}~~ ${codeSpan(f.path)} (${f.severity} · ${f.category})`).join("\n")}`]
    : [];
  return [`${scope} **${fresh} new** · **${open} still open** · **${h.fixed.length} fixed** since the last review${suppressed}.`, ...fixed];
}

/** A file list for the summary, capped so a 3,000-file PR leaves room for the findings. */
const FILES_LISTED = 250;
function capped(lines: string[]): string[] {
  return lines.length <= FILES_LISTED ? lines : [...lines.slice(0, FILES_LISTED), `- … and ${lines.length - FILES_LISTED} more`];
}

/** The findings and what was read: never "in 0 files" beside findings the rules made in files the model did not review. */
function scopeLine(report: ReviewReport): string {
  const counts = `**${countLine(report.findings)}**`;
  const read = report.rulesRead ?? 0;
  if (read <= report.reviewed.length) return `${counts} in ${plural(report.reviewed.length, "file")} reviewed.`;
  return `${counts} in ${plural(read, "file")} read by the rules and the secret scan; the model reviewed ${report.reviewed.length} of them.`;
}

/**
 * The check run's markdown summary. With `agentName`, an incomplete review says how
 * to re-run or skip it; with `onIncomplete`, what it means for the check.
 */
export function renderCheckSummary(report: ReviewReport, options: { onIncomplete?: ReviewSettings["onIncomplete"]; agentName?: string | undefined } = {}): string {
  const u = report.usage;
  const skipped = capped(report.skipped.map((s) => `- ${codeSpan(s.path)} — ${neutraliseInline(s.reason)}`));
  return [
    scopeLine(report),
    ...renderIncomplete(report, options),
    // Problems and notes are the app's markdown around untrusted bits (paths, error messages): neutralised as a whole.
    ...report.problems.map((p) => `> [!WARNING]\n${asBlockquote(neutralise(p))}`),
    ...report.notes.map((n) => `> [!NOTE]\n${asBlockquote(neutralise(n))}`),
    ...historyLines(report),
    ...dismissalLines(report.dismissals),
    ...findingsTable(report.findings),
    ...listed(report.findings),
    ...(report.confirmation?.rejected.length ? [rejectedSummary(report.confirmation.rejected)] : []),
    ...(report.held?.length ? [heldSummary(report.held)] : []),
    `<details><summary>Files: ${report.reviewed.length} reviewed, ${report.skipped.length} skipped, ${report.unreviewed.length + (report.unlisted ?? 0)} not reviewed</summary>\n\n${report.skipped.length ? "Skipped files are left out of the model's review only: the rules and the secret scan read them too.\n\n" : ""}${[
      ...capped(report.reviewed.map((p) => `- ${codeSpan(p)}`)),
      ...skipped,
    ].join("\n")}\n\n</details>`,
    ...(report.history ? [openMarker(report.findings.map((f) => f.fingerprint))] : []),
    `Model ${codeSpan(report.model)}${report.provider ? ` on ${report.provider}` : ""} · ${plural(report.modelCalls, "call")} · ${plural(report.chunks, "chunk")} · tokens: ${u.input} in (+${u.cacheRead} cached read, ${u.cacheWrite} cache write), ${u.output} out · ~${formatCost(report.costUsd)}${toolsPart(report)} · agent: ${neutraliseInline(report.agentSource)}`,
  ].join("\n\n");
}

/** The cost line's part on the model's tools and the project's instructions. */
function toolsPart(report: ReviewReport): string {
  const t = report.tools;
  const tools = t ? ` · tools: ${plural(t.toolTurns, "turn")}, ${plural(t.filesRead, "file")} read, ${t.toolTokens} tokens${t.cut ? ` (${plural(t.cut, "part")} cut by the tool budget)` : ""}` : "";
  const files = report.instructionFiles?.length ? ` · instructions: ${report.instructionFiles.map(codeSpan).join(", ")}` : "";
  const c = report.confirmation;
  const rules = c ? ` · rule hits asked: ${c.offered} (${c.confirmed} confirmed, ${c.rejected.length} rejected)` : "";
  return tools + files + rules;
}

/**
 * The review's body: counts, then whatever could not be an inline comment. With
 * `refused`, GitHub would not take the inline comments and all of them are listed.
 */
export function renderReviewBody(report: ReviewReport, refused?: string): string {
  const findings = refused ? report.findings.map((f) => (f.inline ? { ...f, inline: false, reason: refused } : f)) : report.findings;
  return [`**backend-agent**: ${countLine(findings)}.`, ...listed(findings), "<!-- backend-agent:review -->"].join("\n\n");
}
