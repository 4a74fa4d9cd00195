/**
 * The review core: one diff in, one verdict out, the same for every way a review
 * runs (the App's check run, the CLI, and `ask` for its file selection). Plain data
 * in (the selected files, settings, agent, model, prior findings, budgets), plain
 * data out (findings and where they go, label, conclusion, usage, the report); the
 * model and the progress listener are ports. Nothing here reads GitHub or git, and
 * nothing calls back into the caller: events only go out.
 *
 *  1. Parse the files in `paths`; run the deterministic rules on all of them
 *     (skip globs included) from the real diff; redact what the model will see.
 *  2. Review the redacted diff (or the increment since the last review, with the
 *     PR's diff as context) with the model, chunk by chunk, within the budget.
 *  3. Merge, place, fingerprint; with prior findings, set apart those already
 *     posted, resolved or ignored: the open set = new + earlier ones still in the diff.
 *  4. Decide the conclusion and the label, and build the report once.
 */
import type { AgentDefinition } from "../agents/load-agent.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { redactText } from "../diff/redact.js";
import type { ChangedFile, FileDiff } from "../diff/types.js";
import { conclude, type CheckConclusion } from "../domain/conclusions.js";
import { decide, type Decision } from "../domain/decide.js";
import { describeClient } from "../engine/anthropic-client.js";
import type { PricePlace } from "../engine/pricing.js";
import type { ReviewMode } from "../engine/prompt.js";
import { emptyUsage, type ModelClient } from "../engine/review-engine.js";
import { analyseFindings } from "../review/analyse-findings.js";
import type { Dismissal } from "../review/dismissals.js";
import type { PriorFinding } from "../review/finding-marker.js";
import { isIncomplete } from "../review/incomplete-review.js";
import { openSet } from "../review/open-set.js";
import { selectFiles, type FileSelection } from "../review/select-files.js";
import type { ReportedFinding, ReviewHistory, ReviewReport } from "../review/summary.js";
import type { ReviewBudget, SpendHooks } from "./budget.js";
import { reviewWithModel, type ModelStageResult } from "./model-stage.js";
import { coverageAfter, modelView, prepareDiffs, type PreparedDiffs } from "./prepare-diffs.js";
import type { ReviewEventSink } from "./review-events.js";
import type { ProjectInstructions } from "../agents/project-instructions.js";
import type { RequestTools } from "../engine/review-with-tools.js";
import { toolTokenBudget } from "../engine/tool-loop.js";
import { codeSpan } from "../review/neutralise.js";
import { applyVerdicts, toCandidates, unconfirmedHits } from "../rules/candidates.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";

/** Everything a review reads: plain data, gathered by the caller (GitHub, git). */
export interface ReviewInput {
  /** The changed files in `paths` (src/review/select-files.ts). */
  selection: Pick<FileSelection, "selected" | "skipped" | "skippedFiles">;
  /** The selection already parsed, ruled and redacted (src/core/prepare-diffs.ts), when the caller has it: not done twice. */
  prepared?: PreparedDiffs | undefined;
  /** Only these changed since the last review (`since...head`): the model reviews them, with the PR's diff as context. */
  increment?: { since: string; files: ChangedFile[] } | undefined;
  settings: ReviewSettings;
  agent: AgentDefinition;
  /** The model id (src/core/choose-model.ts). */
  model: string;
  /** Where the model runs, for its price (the Anthropic API when unset). */
  place?: PricePlace | undefined;
  /** `security`: a partial pass that counts only security and tenancy findings of earlier reviews. */
  mode: ReviewMode;
  /** The change's title (PR title, commit subject): redacted here before the model sees it. */
  title: string;
  /** What the bot posted on the PR before. Given, only new findings are to be posted and the decision covers the open set. */
  prior?: readonly PriorFinding[] | undefined;
  limits: { maxOutputTokens: number; chunkTokens: number; concurrency: number };
  budget: ReviewBudget;
  /** Said before the review ran (history that could not be read, no backend changes…). */
  notes?: readonly string[] | undefined;
  /** Why the model is not asked, told as a note, when the ports have no model. */
  withoutModel?: string | undefined;
  dismissals?: Dismissal[] | undefined;
  /** Changed files beyond GitHub's 3,000-file listing. */
  unlisted?: number | undefined;
  /** The project's instruction files, read from the default branch (never the PR's head) by the caller. */
  projectInstructions?: ProjectInstructions | undefined;
  /** Bounds of the model's tools: turns and result bytes per chunk, tool tokens per review (capped to half the input budget). */
  toolLimits?: { maxTurns: number; maxTokens: number; maxResultBytes?: number | undefined } | undefined;
  /** Keep the model's findings down to this confidence though the model is told `settings.minConfidence` (the eval sweeps the cut-off itself). */
  keepConfidence?: number | undefined;
}

/** What the core talks to. */
export interface ReviewPorts {
  /** The model (Anthropic's client, or anything with its `messages.create`); absent: the rules alone run. */
  model?: ModelClient | undefined;
  /** Daily spend ceilings, checked before each request and charged as calls answer. */
  spend?: SpendHooks | undefined;
  /** Aborted when the review is no longer wanted (a newer head): no more model calls. */
  signal?: AbortSignal | undefined;
  /** Where progress goes (chunks started and settled, usage). */
  onEvent?: ReviewEventSink | undefined;
  /** The head commit's files (the PR's snapshot, the CLI's working tree): with `tools: true`, the model may read them. */
  files?: SnapshotReader | undefined;
}

/** A finished review, ready to be published or printed. */
export interface ReviewResult {
  /** What the check summary and the CLI tell: findings (the open set, with history), coverage, usage. */
  report: ReviewReport;
  /** Findings new in this review: what a publication posts (without history: all of them). */
  fresh: ReportedFinding[];
  decision: Decision;
  conclusion: CheckConclusion;
  /** Every file in `paths`, parsed as it is (placement and annotations read these). */
  diffs: FileDiff[];
  /** The model's files, redacted: safe to print. */
  redacted: FileDiff[];
  /** Files whose diff the rules read. */
  rulesReviewed: string[];
  /** The model stage, when it ran. */
  stage?: ModelStageResult | undefined;
  /** A partial (security) pass: it may raise the label but never lower it. */
  partial: boolean;
  /** The commit an incremental review started from. */
  since?: string | undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The note on malformed findings the model returned: counted, the first reasons named. */
function droppedNote(dropped: readonly string[]): string[] {
  if (dropped.length === 0) return [];
  const reasons = dropped.slice(0, 3).map((d) => d.slice(0, 160)).join("; ");
  return [`${plural(dropped.length, "malformed finding")} in the model's answer ${dropped.length === 1 ? "was" : "were"} dropped (not posted); the other findings of ${dropped.length === 1 ? "its" : "their"} part still count: ${reasons}${dropped.length > 3 ? "; …" : ""}.`];
}

/** The note on malformed verdicts: their rule candidates were posted as the rules found them. */
function malformedVerdictNote(malformed: readonly string[]): string[] {
  if (malformed.length === 0) return [];
  const reasons = malformed.slice(0, 3).map((d) => d.slice(0, 160)).join("; ");
  return [`${plural(malformed.length, "malformed verdict")} on the rules' candidates ${malformed.length === 1 ? "was" : "were"} dropped; those candidates are posted as the rules found them: ${reasons}${malformed.length > 3 ? "; …" : ""}.`];
}

/** The model's tools for this review, when the settings allow them and there is a snapshot; one tool-token budget shared by its chunks. */
function toolsOf(input: ReviewInput, files: SnapshotReader | undefined): RequestTools | undefined {
  if (!input.settings.tools || !files) return undefined;
  const limits = input.toolLimits ?? { maxTurns: 8, maxTokens: 200_000 };
  // Carved out of the review's input budget: exploring never takes more than half of it.
  const tokens = toolTokenBudget(Math.min(limits.maxTokens, Math.floor(input.budget.maxInputTokens / 2)));
  return { reader: files, budgets: { maxTurns: limits.maxTurns, maxResultBytes: limits.maxResultBytes, tokens } };
}

/** What the summary says about the project's instructions and the snapshot, when there is something to say. */
function contextNotes(input: ReviewInput, tools: RequestTools | undefined): string[] {
  const cut = input.projectInstructions?.files.filter((f) => f.kept < f.chars) ?? [];
  return [
    ...cut.map((f) => `The project instructions in ${codeSpan(f.path)} were cut to ${f.kept} of ${f.chars} characters (caps: 16,000 a file, 32,000 in all).`),
    ...(tools?.reader.partial ? [`The model's view of the repository is partial: ${tools.reader.partial}.`] : []),
  ];
}

/** Reviews one diff. Throws only for a bug or a failed port the caller cannot recover from; a failed model call is reported, not thrown. */
export async function reviewDiff(input: ReviewInput, ports: ReviewPorts = {}): Promise<ReviewResult> {
  const { settings } = input;
  const partial = input.mode === "security";
  // 1.
  const prepared = input.prepared ?? prepareDiffs(input.selection, settings.rules, { testPaths: settings.testPaths });
  const increment = input.increment ? modelView(selectFiles(input.increment.files, settings).selected) : undefined;
  const forModel = increment ?? prepared.redacted;

  // 2.
  let stage: ModelStageResult | undefined;
  const tools = toolsOf(input, ports.files);
  // Rule hits the model is asked to confirm (issue 19 §4); without a model the rules post alone, as they always did.
  const candidates = ports.model && settings.confirmRules ? toCandidates(prepared.ruleFindings, prepared.diffs) : [];
  if (ports.model && forModel.some((d) => d.hunks.length > 0)) {
    stage = await reviewWithModel({
      client: ports.model, agent: input.agent, model: input.model, place: input.place, mode: input.mode, title: redactText(input.title).text,
      maxOutputTokens: input.limits.maxOutputTokens, chunkTokens: input.limits.chunkTokens, concurrency: input.limits.concurrency,
      minConfidence: settings.minConfidence, files: forModel, context: increment ? prepared.redacted : undefined,
      budget: input.budget, spend: ports.spend, signal: ports.signal, onEvent: ports.onEvent,
      tools, projectInstructions: input.projectInstructions?.text, instructions: settings.instructions, candidates,
    });
  }

  // 3.
  const kept = input.keepConfidence === undefined ? settings : { ...settings, minConfidence: input.keepConfidence };
  // A rejected candidate is not posted and does not count; a confirmed one and the model's own finding on it merge into one (mergeFindings).
  const verdicts = applyVerdicts(candidates, stage?.verdicts ?? []);
  // Hits of rules too often wrong on real code wait for the model's confirmation (unless the repository turned confirmation off).
  const held = settings.confirmRules ? unconfirmedHits(prepared.ruleFindings, candidates, stage?.verdicts ?? [], Boolean(stage?.asked)) : [];
  const dropped = new Set([...verdicts.rejected, ...held].map((r) => r.finding));
  const ruleFindings = prepared.ruleFindings.filter((f) => !dropped.has(f));
  const analysis = analyseFindings([...ruleFindings, ...(stage?.findings ?? [])], prepared.diffs, kept, input.prior ?? []);
  let fresh = analysis.findings;
  let open: ReportedFinding[] = fresh;
  let history: ReviewHistory | undefined;
  if (input.prior) {
    const set = openSet(analysis.findings, analysis.repeated, input.prior, prepared.diffs);
    fresh = set.fresh;
    // The security pass vouches for security only: earlier findings of other kinds are not its to count.
    const carried = partial ? set.stillOpen.filter((f) => f.finding.category === "security" || f.finding.category === "tenancy") : set.stillOpen;
    open = [...set.fresh, ...carried];
    history = { fixed: set.fixed, suppressed: analysis.suppressed.length, since: input.increment?.since };
  }

  // 4.
  // The provider behind the port, named in the summary with what the engine does differently there.
  const via = stage && ports.model ? describeClient(ports.model) : undefined;
  const reviewed = increment ? increment.filter((d) => d.hunks.length > 0).map((d) => d.path) : prepared.reviewed;
  const usage = stage?.usage ?? emptyUsage();
  const rulesReviewed = prepared.diffs.filter((d) => d.hunks.length > 0).map((d) => d.path);
  const report: ReviewReport = {
    findings: open, ...coverageAfter(reviewed, prepared.unreviewed, stage), skipped: prepared.skipped, unlisted: input.unlisted, rulesRead: rulesReviewed.length,
    model: input.model, provider: via?.label, usage, modelCalls: stage?.calls ?? 0, chunks: stage?.chunks ?? 0, costUsd: stage?.costUsd ?? 0, agentSource: input.agent.source,
    problems: stage?.problems ?? [],
    tools: stage?.tools, instructionFiles: input.projectInstructions?.files.map((f) => f.path),
    notes: [...(input.notes ?? []), ...(stage ? contextNotes(input, tools) : []), ...(via?.notes ?? []), ...(!ports.model && input.withoutModel ? [input.withoutModel] : []), ...droppedNote(stage?.dropped ?? []), ...malformedVerdictNote(stage?.malformedVerdicts ?? [])],
    droppedFindings: stage?.dropped.length ?? 0, history, dismissals: input.dismissals,
    held: held.length ? held : undefined,
    confirmation: stage?.asked ? { offered: stage.asked, confirmed: verdicts.confirmed, rejected: verdicts.rejected, malformed: stage.malformedVerdicts.length } : undefined,
  };
  const decision = input.prior ? decide(open.map((f) => f.finding), settings) : analysis.decision;
  const conclusion = conclude(decision, isIncomplete(report), settings.onIncomplete);
  return {
    report, fresh, decision, conclusion, diffs: prepared.diffs, redacted: prepared.redacted, stage, partial, since: input.increment?.since,
    rulesReviewed,
  };
}
