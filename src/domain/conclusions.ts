/**
 * What a review concludes, in GitHub's words but owned by the domain: the check
 * run's conclusion and the security label's level are decisions, and the GitHub
 * adapters (src/github/check-run.ts, labels.ts) only carry them out.
 */
import type { ReviewSettings } from "../config/repo-config.js";
import type { Decision } from "./decide.js";
import type { Severity } from "./findings.js";

/** A check run's conclusions (GitHub's values). */
export const CHECK_CONCLUSIONS = ["success", "failure", "neutral", "skipped", "timed_out", "cancelled"] as const;
/** A check run's conclusion. */
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];

/** Whether a value GitHub sent is one of the conclusions. */
export const isCheckConclusion = (value: string | null | undefined): value is CheckConclusion => (CHECK_CONCLUSIONS as readonly string[]).includes(value ?? "");

/** Severities that have a label; `info` never labels a PR. */
export type LabelLevel = Exclude<Severity, "info">;

/** A check-run annotation (GitHub's shape): where a finding sits in the new file, and how bad it is. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

/**
 * The conclusion of a review: a finding at `failOn` fails it; otherwise a review
 * that did not cover every file in `paths` cannot vouch for the change: it fails
 * (`onIncomplete: failure`, the default) or is neutral as the repository chose.
 */
export function conclude(decision: Decision, incomplete: boolean, onIncomplete: ReviewSettings["onIncomplete"]): CheckConclusion {
  if (decision.conclusion === "failure") return "failure";
  return incomplete ? onIncomplete : decision.conclusion;
}
