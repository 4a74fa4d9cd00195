/**
 * What a review that did not cover every file in `paths` tells, and why it fails:
 * a required check passes on `success`, `neutral` and `skipped`, so a review an
 * outsider made fail (an overloaded model, a huge or binary file, a 3,000-file PR)
 * must not pass unless the repository chose `onIncomplete: neutral`.
 */
import type { ReviewSettings } from "../config/repo-config.js";
import { codeSpan, neutraliseInline } from "./neutralise.js";
import type { ReviewReport } from "./summary.js";

/** Heading of the unreviewed list in a check summary; `/… skip` copies the list below it. */
export const UNREVIEWED_HEADING = "### Not reviewed";

/** Files listed by name; the heading keeps the exact count. */
const LISTED = 250;

type Coverage = Pick<ReviewReport, "problems" | "unreviewed" | "unlisted">;

/** Files in `paths` that went unreviewed, those GitHub did not list included. */
export const unreviewedCount = (report: Coverage): number => report.unreviewed.length + (report.unlisted ?? 0);

/** Whether the review cannot vouch for the whole change: a file went unreviewed or a part of it did not run. */
export const isIncomplete = (report: Coverage): boolean => unreviewedCount(report) > 0 || report.problems.length > 0;

const files = (n: number, adjective = "") => `${n.toLocaleString("en-US")} ${adjective}file${n === 1 ? "" : "s"}`;

/** The check title's suffix: ` (review incomplete: 3 files not reviewed)`, or "" for a complete review. */
export function incompleteSuffix(report: Coverage): string {
  if (!isIncomplete(report)) return "";
  const n = unreviewedCount(report);
  return n > 0 ? ` (review incomplete: ${files(n)} not reviewed)` : " (review incomplete)";
}

/** What to do about it on GitHub: re-run, or a writer's recorded skip. */
export function finishHint(agentName: string): string {
  return `**To finish the review**, re-run this check (**Re-run** on the check, or comment \`/${agentName} review\`). To pass this commit without it, someone with write permission comments \`/${agentName} skip <reason>\`; who skipped and why is recorded on the check.`;
}

/**
 * The summary's section on an incomplete review: what it means for the check, every
 * unreviewed file with its reason (the count exact even when the list is cut), and
 * how to finish. Empty for a complete review.
 */
export function renderIncomplete(report: ReviewReport, options: { onIncomplete?: ReviewSettings["onIncomplete"] | undefined; agentName?: string | undefined } = {}): string[] {
  if (!isIncomplete(report)) return [];
  const n = unreviewedCount(report);
  const effect = options.onIncomplete === undefined
    ? ""
    : options.onIncomplete === "failure"
      ? ", so this check fails (`onIncomplete: failure`)"
      : ", but this check is neutral, which passes a required check (`onIncomplete: neutral`)";
  const what = n > 0 ? `${files(n)} in \`paths\` ${n === 1 ? "was" : "were"} not reviewed` : "part of it did not run (see the warnings below)";
  const rows = report.unreviewed.map((u) => `- ${codeSpan(u.path)} — ${neutraliseInline(u.reason)}`);
  const list = rows.length > LISTED ? [...rows.slice(0, LISTED), `- … and ${files(rows.length - LISTED, "more ")} not listed here`] : rows;
  if (report.unlisted) list.push(`- ${files(report.unlisted, "more ")} beyond the ${(3000).toLocaleString("en-US")} GitHub lists for a pull request (names unknown: split the pull request)`);
  return [
    `> [!CAUTION]\n> **Review incomplete**: ${what}${effect}.`,
    ...(n > 0 ? [`${UNREVIEWED_HEADING} (${files(n)})\n\n${list.join("\n")}`] : []),
    ...(options.agentName ? [finishHint(options.agentName)] : []),
  ];
}
