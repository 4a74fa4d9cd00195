/**
 * Precision, recall and F1 of a run: per case, in total, by category and by
 * severity. A true positive counts under the expected problem's category and
 * severity, a miss under the problem's, a false positive under the finding's.
 */
import { CATEGORIES, SEVERITIES, type Finding } from "../domain/findings.js";
import type { EvalCase } from "./cases.js";
import { matchFindings, type Pair } from "./match.js";

/** True positives, false positives, false negatives. */
export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** Counts with their rates; a rate with nothing to divide by is null (no findings: no precision). */
export interface Rates extends Counts {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0 });
const add = (a: Counts, b: Counts): Counts => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn });

/** Rates of `c`. */
export function rates(c: Counts): Rates {
  const precision = c.tp + c.fp ? c.tp / (c.tp + c.fp) : null;
  const recall = c.tp + c.fn ? c.tp / (c.tp + c.fn) : null;
  const f1 = precision !== null && recall !== null ? (precision + recall ? (2 * precision * recall) / (precision + recall) : 0) : null;
  return { ...c, precision, recall, f1 };
}

/** One case scored at one confidence cut-off. */
export interface CaseScore extends Counts {
  matches: Pair[];
  /** Indexes (in `kept`) of second findings on a matched problem: not counted. */
  duplicates: number[];
  /** Near pairs whose category disagrees (what `--judge` decides). */
  disputed: Pair[];
  /** Findings at or above the cut-off, in the order the pairs index. */
  kept: Finding[];
  byCategory: Record<string, Counts>;
  bySeverity: Record<string, Counts>;
}

/** Scores `findings` of `evalCase` at `cutoff` (findings below it are dropped, as `minConfidence` drops them). */
export function scoreCase(evalCase: EvalCase, findings: readonly Finding[], cutoff: number, accepted?: ReadonlySet<string>): CaseScore {
  const kept = findings.filter((f) => f.confidence >= cutoff);
  const { matches, duplicates, disputed } = matchFindings(kept, evalCase.problems, accepted);
  const byCategory: Record<string, Counts> = {};
  const bySeverity: Record<string, Counts> = {};
  const bump = (table: Record<string, Counts>, key: string, field: keyof Counts) => {
    table[key] ??= zero();
    table[key][field]++;
  };
  const tpProblems = new Set(matches.map((m) => m.problem));
  const tpFindings = new Set(matches.map((m) => m.finding));
  evalCase.problems.forEach((p, i) => {
    const field = tpProblems.has(i) ? "tp" : "fn";
    bump(byCategory, p.category, field);
    bump(bySeverity, p.severity, field);
  });
  kept.forEach((f, i) => {
    if (tpFindings.has(i) || duplicates.includes(i)) return;
    bump(byCategory, f.category, "fp");
    bump(bySeverity, f.severity, "fp");
  });
  return { tp: matches.length, fp: kept.length - matches.length - duplicates.length, fn: evalCase.problems.length - matches.length, matches, duplicates, disputed, kept, byCategory, bySeverity };
}

/** Totals of several cases: overall, by category and by severity (in the rubric's order). */
export function total(scores: readonly CaseScore[]): { all: Rates; byCategory: Record<string, Rates>; bySeverity: Record<string, Rates> } {
  const sum = (pick: (s: CaseScore) => Record<string, Counts>, keys: readonly string[]) =>
    Object.fromEntries(
      keys.filter((k) => scores.some((s) => pick(s)[k])).map((k) => [k, rates(scores.reduce((acc, s) => add(acc, pick(s)[k] ?? zero()), zero()))]),
    );
  return {
    all: rates(scores.reduce((acc, s) => add(acc, s), zero())),
    byCategory: sum((s) => s.byCategory, CATEGORIES),
    bySeverity: sum((s) => s.bySeverity, SEVERITIES),
  };
}
