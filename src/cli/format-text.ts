/**
 * The terminal report: findings grouped by file, each with the code it is about
 * (from the redacted diff, so a secret finding never prints the secret), then
 * what did not run, what was skipped, and the verdict.
 */
import pc from "picocolors";
import { isIncomplete } from "../review/incomplete-review.js";
import type { FileDiff } from "../diff/types.js";
import { formatCost } from "../engine/pricing.js";
import { countLine, plural } from "../review/summary.js";
import type { Finding, Severity } from "../domain/findings.js";
import type { LocalReview } from "./local-review.js";

/** A line of the code a finding is about, with its number on the finding's side. */
export interface CodeLine {
  number: number;
  text: string;
}

/** Lines `startLine..line` of the finding's side, as the diff shows them. */
export function codeLines(finding: Finding, file: FileDiff | undefined): CodeLine[] {
  const first = finding.startLine ?? finding.line;
  const out: CodeLine[] = [];
  for (const line of file?.hunks.flatMap((h) => h.lines) ?? []) {
    const number = finding.side === "RIGHT" ? (line.kind === "del" ? undefined : line.newLine) : line.kind === "add" ? undefined : line.oldLine;
    if (number !== undefined && number >= first && number <= finding.line) out.push({ number, text: line.text });
  }
  return out;
}

const MAX_CODE_LINES = 6;

type Colors = ReturnType<typeof pc.createColors>;

function severityLabel(c: Colors, severity: Severity): string {
  const text = severity.toUpperCase().padEnd(8);
  switch (severity) {
    case "critical":
      return c.bold(c.red(text));
    case "high":
      return c.red(text);
    case "medium":
      return c.yellow(text);
    case "low":
      return c.cyan(text);
    case "info":
      return c.dim(text);
  }
}

function renderFinding(c: Colors, finding: Finding, file: FileDiff | undefined, reason: string | undefined): string[] {
  const lines = finding.startLine ? `${finding.startLine}-${finding.line}` : `${finding.line}`;
  const where = `line ${lines}${finding.side === "LEFT" ? " (removed)" : ""}`;
  const origin = finding.source === "model" ? `model ${finding.confidence.toFixed(2)}` : finding.source.slice("rule:".length);
  const out = [`  ${severityLabel(c, finding.severity)} ${c.bold(finding.title)}  ${c.dim(`${where} · ${finding.category} · ${origin}`)}`];
  let code = codeLines(finding, file);
  if (code.length > MAX_CODE_LINES) code = [...code.slice(0, MAX_CODE_LINES - 1), ...code.slice(-1)];
  const width = String(finding.line).length;
  for (const line of code) out.push(`    ${c.dim(`${String(line.number).padStart(width)} │`)} ${finding.side === "LEFT" ? c.red(`-${line.text}`) : line.text}`);
  out.push(...finding.body.trim().split("\n").map((l) => (l ? `    ${l}` : "")));
  if (finding.suggestion) out.push(`    ${c.dim("suggested:")}`, ...finding.suggestion.split("\n").map((l) => `      ${c.green(l)}`));
  if (reason) out.push(`    ${c.dim(`(${reason})`)}`);
  return [...out, ""];
}

/** Model text on a terminal: no control characters (an escape sequence could rewrite the report), one line. */
const plain = (text: string) => [...text].map((ch) => (/\p{Cc}/u.test(ch) ? " " : ch)).join("").replace(/ {2,}/g, " ").trim();

/** The rules' hits the model rejected: not findings, listed with its reason so a reader can check it. */
function rejectedLines(c: Colors, report: LocalReview["report"]): string[] {
  const list = (heading: string, hits: NonNullable<LocalReview["report"]["held"]>) =>
    hits.length === 0
      ? []
      : [c.dim(`${heading}: ${hits.length}`), ...hits.map(({ finding: f, reason }) => c.dim(`  ${f.source.slice("rule:".length)} ${f.path}:${f.line} — ${plain(f.title)}: ${plain(reason)}`)), ""];
  return [...list("rejected by the model (not reported)", report.confirmation?.rejected ?? []), ...list("held back until the model confirms them (not reported)", report.held ?? [])];
}

/** What the model's tools did, for the cost line. */
const tools = (report: LocalReview["report"]) =>
  report.tools ? ` · tool turns ${report.tools.toolTurns}, files read ${report.tools.filesRead}, tool tokens ${report.tools.toolTokens}` : "";

/** The text report; `color` turns ANSI colours on (a terminal, not a file or a pipe). */
export function formatText(review: LocalReview, color: boolean): string {
  const c = pc.createColors(color);
  const { report, analysis, range, settings } = review;
  const out = [c.bold(`backend-agent review of ${range.head} against ${range.baseRef} (merge-base ${range.base.slice(0, 7)})`), ""];
  // Only when no changed file is in `paths`: files the model failed on were still there to review.
  if (review.inPaths === 0) out.push(`Nothing to review: no changed file matches ${settings.paths.join(", ")}.`, "");
  const byPath = new Map(review.diffs.map((d) => [d.path, d]));
  const paths = [...new Set(report.findings.map((f) => f.finding.path))].sort();
  for (const path of paths) {
    out.push(c.underline(path));
    for (const f of report.findings.filter((r) => r.finding.path === path).sort((a, b) => a.finding.line - b.finding.line)) {
      // "inline" means a GitHub comment; locally, only a finding outside the diff needs its reason.
      const offDiff = !f.inline && !(f.reason ?? "").startsWith("over the");
      out.push(...renderFinding(c, f.finding, byPath.get(path), offDiff ? f.reason : undefined));
    }
  }
  out.push(...rejectedLines(c, report));
  for (const problem of report.problems) out.push(c.yellow(`! ${problem}`));
  for (const u of report.unreviewed) out.push(c.yellow(`! not reviewed: ${u.path} (${u.reason.replace(/^not reviewed: /, "")})`));
  if (report.skipped.length) out.push(c.dim(`skipped: ${report.skipped.map((s) => `${s.path} (${s.reason})`).join(", ")}`));
  const u = report.usage;
  out.push(
    c.dim(
      review.modelRan
        ? `model ${report.model} · ${plural(report.modelCalls, "call")} · ${plural(report.chunks, "chunk")} · tokens ${u.input} in (+${u.cacheRead} cached), ${u.output} out · ~${formatCost(report.costUsd)}${tools(report)} · agent ${report.agentSource}`
        : `rules only · agent ${report.agentSource}`,
    ),
  );
  if (review.modelFailure) out.push(c.yellow(`! ${review.modelFailure}`));
  const failing = analysis.decision.conclusion === "failure";
  const incomplete = isIncomplete(report);
  const outcome = failing ? `FAIL${incomplete ? " (and the review is incomplete)" : ""}` : review.conclusion === "failure" ? "FAIL (review incomplete, onIncomplete: failure)" : incomplete ? "pass (review incomplete, onIncomplete: neutral)" : "pass";
  // The rules read every file in `paths`; the model only those it reviewed: both counted, never the model's alone.
  const n = review.rulesReviewed.length;
  const byModel = review.modelRan ? `, ${report.reviewed.length} of them by the model` : "";
  const verdict = `${countLine(report.findings)} in ${n} file${n === 1 ? "" : "s"}${byModel} · fail on ${settings.failOn}: ${outcome}`;
  out.push(review.conclusion === "failure" ? c.bold(c.red(verdict)) : incomplete ? c.yellow(verdict) : c.green(verdict));
  return `${out.join("\n")}\n`;
}
