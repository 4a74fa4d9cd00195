/**
 * The eval's report for a person: one table of the configurations side by side,
 * then each configuration by category, by severity and per case, the sweep, and
 * the cost of the set per model. Columns are padded plain text (no colour), so the
 * output can be pasted into the README as it is.
 */
import { formatCost } from "../engine/pricing.js";
import type { CostEstimate } from "./eval-cost.js";
import { LINE_SLACK } from "./match.js";
import type { Rates } from "./score.js";
import type { ConfigRun, EvalResult } from "./run-eval.js";

const rate = (v: number | null) => (v === null ? "-" : v.toFixed(2));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const tokens = (r: { usage: { input: number; output: number; cacheRead: number; cacheWrite: number } }) =>
  `${r.usage.input + r.usage.cacheRead + r.usage.cacheWrite}/${r.usage.output}`;

/** Rows of cells as a padded table (first column left-aligned, the rest too: names and numbers read the same). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

const rateCells = (r: Rates) => [String(r.tp), String(r.fp), String(r.fn), rate(r.precision), rate(r.recall), rate(r.f1)];
const RATE_HEAD = ["TP", "FP", "FN", "precision", "recall", "F1"];

function breakdown(title: string, rows: Record<string, Rates>): string {
  return `${title}\n${table([[title.split(" ")[1] ?? "", ...RATE_HEAD], ...Object.entries(rows).map(([k, r]) => [k, ...rateCells(r)])])}`;
}

function perCase(run: ConfigRun): string {
  const rows = run.cases.map((c) => [
    c.name, String(c.score.tp + c.score.fn), String(c.score.kept.length), String(c.score.tp), String(c.score.fp), String(c.score.fn),
    tokens(c.review), formatCost(c.review.costUsd), secs(c.review.wallMs),
  ]);
  return `Per case (${run.config.name})\n${table([["case", "expected", "findings", "TP", "FP", "FN", "tokens in/out", "cost", "wall"], ...rows])}`;
}

function sweep(runs: readonly ConfigRun[]): string {
  if (!runs.some((r) => r.sweep.length)) return "";
  const head = ["cut-off", ...runs.flatMap((r) => [`${r.config.name} P`, "R", "F1"])];
  const rows = runs[0]!.sweep.map((p, i) => [p.cutoff.toFixed(2), ...runs.flatMap((r) => [rate(r.sweep[i]!.precision), rate(r.sweep[i]!.recall), rate(r.sweep[i]!.f1)])]);
  return `Threshold sweep (findings kept at confidence >= cut-off)\n${table([head, ...rows])}`;
}

function cost(estimate: CostEstimate, cases: number): string {
  const ceiling = estimate.lines.some((l) => l.ceilingUsd !== undefined);
  const rows = estimate.lines.map((l) => [l.model, formatCost(l.costUsd), ...(ceiling ? [formatCost(l.ceilingUsd ?? 0)] : [])]);
  return `Cost of these ${cases} cases per model (${estimate.basis})\n${table([["model", ceiling ? "input" : "cost", ...(ceiling ? ["ceiling"] : [])], ...rows])}`;
}

/** The whole report as text. */
export function formatEval(result: EvalResult, estimate: CostEstimate): string {
  const head = `backend-agent eval · ${result.date.slice(0, 16).replace("T", " ")} UTC · ${result.cases} cases (${result.clean} clean) · ${result.problems} known problems · match: same path, lines ±${LINE_SLACK}, same category`;
  const summary = table([
    ["config", "model", "minConfidence", "rules", ...RATE_HEAD, "findings/clean", "tokens in/out", "cost", "wall"],
    ...result.runs.map((r) => [
      r.config.name, r.modelRan ? r.model : "off", r.config.minConfidence.toFixed(2), r.config.rules ? "on" : "off",
      ...rateCells(r.totals.all), rate(r.findingsPerClean), tokens(r), formatCost(r.costUsd), secs(r.wallMs),
    ]),
  ]);
  const sections = result.runs.flatMap((r) => [
    breakdown(`By category (${r.config.name})`, r.totals.byCategory),
    breakdown(`By severity (${r.config.name})`, r.totals.bySeverity),
    perCase(r),
    ...(r.judge.length ? [`Judge (${r.config.name}): ${r.judge.filter((d) => d.same).length} of ${r.judge.length} disputed pairs accepted as matches`] : []),
  ]);
  return [head, summary, ...sections, sweep(result.runs), cost(estimate, result.cases)].filter(Boolean).join("\n\n") + "\n";
}
