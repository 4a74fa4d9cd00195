import type { CheckConclusion, LabelLevel } from "./conclusions.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { reaches, severityRank, type Finding } from "./findings.js";

/** What the findings mean for the PR. */
export interface Decision {
  conclusion: CheckConclusion;
  /** The `security: <level>` label the PR should carry, if any. */
  label: LabelLevel | undefined;
  /** The review event; never APPROVE. */
  event: "COMMENT" | "REQUEST_CHANGES";
}

/**
 * Security and tenant-isolation findings drive the label (the rubric counts
 * cross-tenant access as a security problem); any finding at `failOn` fails the check.
 */
export function decide(findings: readonly Finding[], settings: Pick<ReviewSettings, "failOn" | "reviewEvent" | "labels">): Decision {
  const failing = settings.failOn !== "never" && findings.some((f) => reaches(f.severity, settings.failOn as Exclude<typeof settings.failOn, "never">));
  const worst = findings
    .filter((f) => (f.category === "security" || f.category === "tenancy") && f.severity !== "info")
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
  return {
    conclusion: failing ? "failure" : "success",
    label: settings.labels && worst ? (worst.severity as LabelLevel) : undefined,
    event: failing ? settings.reviewEvent : "COMMENT",
  };
}
