/**
 * Rule hits as candidates for the model to confirm (issue 19 §4), as pure
 * functions: the data block with each hit's evidence, the verdicts applied, and
 * the summary's collapsed list of what the model rejected. The model stage
 * (src/core/model-stage.ts) sends each candidate with the chunk that holds its
 * line; the core (src/core/review-diff.ts) applies the verdicts.
 *
 * Fail closed towards the rules: a candidate the model does not answer about
 * (its chunk failed or was not sent, the answer skipped it or was malformed) is
 * posted as the rules-only mode would post it.
 */
import { redactText } from "../diff/redact.js";
import type { FileDiff } from "../diff/types.js";
import { codeFence } from "../review/code-span.js";
import { location } from "../review/format.js";
import { codeSpan, neutraliseInline } from "../review/neutralise.js";
import type { Finding } from "../domain/findings.js";

/** A rule hit offered to the model, under a short id it answers with. */
export interface Candidate {
  id: string;
  finding: Finding;
  /** The lines around the hit, redacted: what the model sees of it. */
  evidence: string;
}

/** The model's answer about one candidate (validated: src/engine/findings-schema.ts). */
export interface Verdict {
  id: string;
  verdict: "confirmed" | "rejected";
  /** Model text: bounded, redacted and neutralised before it is shown anywhere. */
  reason: string;
}

/** A candidate the model rejected, for the summary (collapsed): not posted, not counted. */
export interface RejectedCandidate {
  finding: Finding;
  /** The model's reason, redacted (not yet neutralised: each output does it its own way). */
  reason: string;
}

/**
 * Rules whose hits are posted only when the model confirms them: whether their sink is
 * safe depends on where the data comes from, which a rule reading one file cannot see.
 * Labelled on real Django code (28 Debian 12 packages, README "Rule findings on real
 * code"), most of their hits were safe uses; the rest of the pack was 17 in 19 wanted.
 * Without a model (or a verdict) their hits are listed, collapsed, in the summary.
 */
const CONFIRM_ONLY: ReadonlyMap<string, string> = new Map([
  ["rule:templating/mark-safe", "8 of 17 hits wanted on real code"],
  ["rule:templating/safe-filter", "1 of 10 hits wanted on real code"],
  ["rule:sql-injection/raw-format", "0 of 5 hits wanted on real code"],
  ["rule:code-execution/pickle", "0 of 2 hits wanted on real code"],
]);

/**
 * The hits of {@link CONFIRM_ONLY} rules that no verdict confirmed (rejected ones are
 * the verdicts' to list): not posted, not counted, listed with why.
 */
export function unconfirmedHits(ruleFindings: readonly Finding[], candidates: readonly Candidate[], verdicts: readonly Verdict[], modelAsked: boolean): RejectedCandidate[] {
  const said = new Map(candidates.map((c) => [c.finding, verdicts.find((v) => v.id === c.id)?.verdict]));
  return ruleFindings.flatMap((finding) => {
    const measured = CONFIRM_ONLY.get(finding.source);
    if (!measured || said.get(finding) === "confirmed" || said.get(finding) === "rejected") return [];
    const why = modelAsked ? "the model gave no verdict on it" : "no model reviewed this change";
    return [{ finding, reason: `posted only when the model confirms it (${measured}); ${why}` }];
  });
}

/** The summary's collapsed list of hits held back for want of a confirmation, empty when none. */
export function heldSummary(held: readonly RejectedCandidate[]): string {
  if (held.length === 0) return "";
  const rows = held.map((r) => `- \`${r.finding.source.slice("rule:".length)}\` ${codeSpan(location(r.finding))} — ${neutraliseInline(r.finding.title)}: ${neutraliseInline(r.reason)}`);
  const n = held.length;
  return `<details><summary>${n} rule hit${n === 1 ? "" : "s"} held back until the model confirms ${n === 1 ? "it" : "them"} (not posted)</summary>\n\n${rows.join("\n")}\n\n</details>`;
}

/** What the verdicts did to the candidates. */
export interface AppliedVerdicts {
  /** The rule findings to drop from the review: the rejected candidates' (same objects). */
  rejected: RejectedCandidate[];
  /** Candidates the model confirmed: posted once, as the rule's finding. */
  confirmed: number;
}

const CONTEXT = 3;
const MAX_REASON = 300;
const MAX_MESSAGE = 800;

/** The rules that find a secret written in the code. */
const LEAK_RULES = new Set(["rule:secrets/known-token", "rule:secrets/hardcoded-secret"]);

/**
 * A leaked secret is never offered, nor a hit whose code was redacted: the model
 * only sees `<redacted:KIND>` where the secret was, so it cannot judge it, and text
 * in the diff must not be able to talk it into hiding a leaked key.
 */
function isConfirmable(finding: Finding, files: readonly FileDiff[]): boolean {
  return finding.source.startsWith("rule:") && !LEAK_RULES.has(finding.source) && !evidenceOf(finding, files, 0).includes("<redacted:");
}

/** The hunk lines within `context` lines of the finding on its side, `+`/`-`/` ` marked, secrets redacted. */
function evidenceOf(finding: Finding, files: readonly FileDiff[], context = CONTEXT): string {
  const file = files.find((f) => f.path === finding.path);
  const from = (finding.startLine ?? finding.line) - context;
  const to = finding.line + context;
  const lines = (file?.hunks ?? []).flatMap((h) =>
    h.lines.flatMap((l) => {
      const n = finding.side === "LEFT" ? (l.kind === "add" ? undefined : l.oldLine) : l.kind === "del" ? undefined : l.newLine;
      if (n === undefined || n < from || n > to) return [];
      return [`${l.kind === "add" ? "+" : l.kind === "del" ? "-" : " "}${String(n).padStart(5)} ${l.text}`];
    }),
  );
  return redactText(lines.join("\n"), { path: finding.path }).text;
}

/** The confirmable rule findings as candidates, numbered `R1`, `R2`… in their order. */
export function toCandidates(ruleFindings: readonly Finding[], files: readonly FileDiff[]): Candidate[] {
  return ruleFindings
    .filter((finding) => isConfirmable(finding, files))
    .map((finding, i) => ({ id: `R${i + 1}`, finding, evidence: evidenceOf(finding, files) }));
}

/**
 * The candidates block of one request: per candidate its id, rule, place, claim,
 * the rule's message (which names the project fact it relied on) and the code.
 * Data: the caller frames it like the diff (src/engine/prompt.ts).
 */
export function candidateBlock(candidates: readonly Candidate[]): string {
  return candidates
    .map((c) => {
      const f = c.finding;
      const where = `${f.path}:${f.side === "LEFT" ? "old " : ""}${f.startLine ? `${f.startLine}-` : ""}${f.line}`;
      const message = redactText(f.body.slice(0, MAX_MESSAGE)).text;
      return `### ${c.id} — rule ${f.source.slice("rule:".length)} at ${where} (${f.severity} · ${f.category})\nClaim: ${f.title}\nRule's message: ${message}\n\n${codeFence(c.evidence, "diff")}`;
    })
    .join("\n\n");
}

/** Splits the candidates by verdict: rejected ones leave the review, with the model's reason; the rest stay as the rules found them. */
export function applyVerdicts(candidates: readonly Candidate[], verdicts: readonly Verdict[]): AppliedVerdicts {
  const byId = new Map(verdicts.map((v) => [v.id, v]));
  const rejected: RejectedCandidate[] = [];
  let confirmed = 0;
  for (const c of candidates) {
    const v = byId.get(c.id);
    if (v?.verdict === "rejected") rejected.push({ finding: c.finding, reason: redactText(v.reason.slice(0, MAX_REASON)).text });
    else if (v?.verdict === "confirmed") confirmed++;
  }
  return { rejected, confirmed };
}

/** The summary's collapsed list of rejected candidates (markdown, model text neutralised), empty when none. */
export function rejectedSummary(rejected: readonly RejectedCandidate[]): string {
  if (rejected.length === 0) return "";
  const rows = rejected.map(
    (r) => `- \`${r.finding.source.slice("rule:".length)}\` ${codeSpan(location(r.finding))} — ${neutraliseInline(r.finding.title)}. Model: ${neutraliseInline(r.reason)}`,
  );
  const n = rejected.length;
  return `<details><summary>${n} rule hit${n === 1 ? "" : "s"} the model rejected (not posted)</summary>\n\n${rows.join("\n")}\n\n</details>`;
}
