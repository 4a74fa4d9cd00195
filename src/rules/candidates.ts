/**
 * Rule hits as candidates for the model to confirm (issue 19 §4), as pure
 * functions: the prompt text with each hit's evidence, and the merge of the
 * model's verdicts. Not wired yet: the model stage calls {@link candidatePrompt}
 * next to the diff and {@link mergeVerdicts} on what comes back.
 *
 * Fail closed towards the rules: a candidate the model does not answer about is
 * posted as the rules-only mode would post it.
 */
import { redactText } from "../diff/redact.js";
import type { FileDiff } from "../diff/types.js";
import { codeFence } from "../review/code-span.js";
import { neutraliseInline } from "../review/neutralise.js";
import type { Finding } from "../domain/findings.js";

/** A rule hit offered to the model, under a short id it answers with. */
export interface Candidate {
  id: string;
  finding: Finding;
  /** The lines around the hit, redacted: what the model sees of it. */
  evidence: string;
}

/** The model's answer about one candidate. */
export interface Verdict {
  id: string;
  verdict: "confirmed" | "rejected";
  /** Model text: bounded and neutralised before it is shown anywhere. */
  reason: string;
}

/** A candidate the model rejected, for the summary (collapsed). */
export interface RejectedCandidate {
  finding: Finding;
  reason: string;
}

const CONTEXT = 3;
const MAX_REASON = 300;

/** The hunk lines within {@link CONTEXT} of the finding on its side, `+`/`-`/` ` marked, secrets redacted. */
function evidenceOf(finding: Finding, files: readonly FileDiff[]): string {
  const file = files.find((f) => f.path === finding.path);
  const from = (finding.startLine ?? finding.line) - CONTEXT;
  const to = finding.line + CONTEXT;
  const lines = (file?.hunks ?? []).flatMap((h) =>
    h.lines.flatMap((l) => {
      const n = finding.side === "LEFT" ? (l.kind === "add" ? undefined : l.oldLine) : l.kind === "del" ? undefined : l.newLine;
      if (n === undefined || n < from || n > to) return [];
      return [`${l.kind === "add" ? "+" : l.kind === "del" ? "-" : " "}${String(n).padStart(5)} ${l.text}`];
    }),
  );
  return redactText(lines.join("\n"), { path: finding.path }).text;
}

/** The rule findings as candidates, numbered `R1`, `R2`… in their order. */
export function toCandidates(ruleFindings: readonly Finding[], files: readonly FileDiff[]): Candidate[] {
  return ruleFindings.map((finding, i) => ({ id: `R${i + 1}`, finding, evidence: evidenceOf(finding, files) }));
}

/** The prompt section asking the model to confirm or reject each candidate, with its evidence. */
export function candidatePrompt(candidates: readonly Candidate[]): string {
  if (candidates.length === 0) return "";
  const items = candidates.map((c) => {
    const f = c.finding;
    const where = `${f.path}:${f.side === "LEFT" ? "old " : ""}${f.line}`;
    return `### ${c.id} — ${f.source.slice("rule:".length)} at ${where}\nClaim: ${f.title}\n\n${codeFence(c.evidence, "diff")}`;
  });
  return [
    "## Candidates from the deterministic rules",
    "Each candidate below is a pattern a rule matched. Read the code around it and answer for every id: `confirmed` when a " +
      "senior reviewer of this code would want it raised, `rejected` otherwise, with a one-sentence reason. Do not report a " +
      "confirmed candidate again as your own finding.",
    ...items,
  ].join("\n\n");
}

/** Two findings about the same place: same file and side, line ranges overlapping. */
function samePlace(a: Finding, b: Finding): boolean {
  const [a0, b0] = [a.startLine ?? a.line, b.startLine ?? b.line];
  return a.path === b.path && a.side === b.side && a0 <= b.line && b0 <= a.line;
}

/**
 * Merges the model's verdicts: confirmed and unanswered candidates are posted, and
 * the model's own findings at the same place are dropped (posted once); rejected ones
 * go to the summary with the reason.
 */
export function mergeVerdicts(
  candidates: readonly Candidate[],
  verdicts: readonly Verdict[],
  modelFindings: readonly Finding[],
): { findings: Finding[]; rejected: RejectedCandidate[] } {
  const byId = new Map(verdicts.map((v) => [v.id, v]));
  const rejected: RejectedCandidate[] = [];
  const posted: Finding[] = [];
  for (const c of candidates) {
    const v = byId.get(c.id);
    if (v?.verdict === "rejected") rejected.push({ finding: c.finding, reason: neutraliseInline(v.reason.slice(0, MAX_REASON)) });
    else posted.push(c.finding);
  }
  const own = modelFindings.filter((m) => !posted.some((p) => samePlace(p, m) && p.category === m.category));
  return { findings: [...posted, ...own], rejected };
}

/** The summary's collapsed list of rejected candidates (markdown), empty when none. */
export function rejectedSummary(rejected: readonly RejectedCandidate[]): string {
  if (rejected.length === 0) return "";
  const rows = rejected.map((r) => `- \`${r.finding.source.slice("rule:".length)}\` ${neutraliseInline(r.finding.path)}:${r.finding.line} — ${r.reason}`);
  return `<details><summary>${rejected.length} rule hit${rejected.length === 1 ? "" : "s"} the model rejected</summary>\n\n${rows.join("\n")}\n\n</details>`;
}
