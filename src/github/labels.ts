import { severityRank, type Severity } from "../types.js";
import { httpStatusOf } from "../errors.js";
import type { Octokit, PullRef } from "./octokit.js";

/** Severities that have a label; `info` never labels a PR. */
export type LabelLevel = Exclude<Severity, "info">;

const LABELS: Record<LabelLevel, { color: string; description: string }> = {
  critical: { color: "b60205", description: "backend-agent: exploitable security finding open on this PR" },
  high: { color: "d93f0b", description: "backend-agent: high-severity security finding open on this PR" },
  medium: { color: "fbca04", description: "backend-agent: medium-severity security finding open on this PR" },
  low: { color: "c5def5", description: "backend-agent: low-severity security finding open on this PR" },
};

const LEVELS = Object.keys(LABELS) as LabelLevel[];
const byRank = (a: LabelLevel, b: LabelLevel) => severityRank(a) - severityRank(b);

/** `security: high` etc. */
export const labelName = (level: LabelLevel) => `security: ${level}`;
const isSecurityLabel = (name: string) => /^security: (critical|high|medium|low)$/.test(name);

/**
 * Makes the PR carry exactly the label of `level` (or none): creates the label with
 * colour and description when the repo lacks it, and removes stale levels.
 * Returns the number of API calls made.
 */
export async function syncSecurityLabel(
  octokit: Octokit,
  ref: PullRef,
  level: LabelLevel | undefined,
  /** A partial pass (the security-only command) may raise the level but never lower or clear it. */
  options: { onlyRaise?: boolean } = {},
): Promise<number> {
  const repo = { owner: ref.owner, repo: ref.repo };
  const { data: current } = await octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number: ref.pullNumber, per_page: 100 });
  let calls = 1;
  if (options.onlyRaise) {
    const worst = current.map((label) => LEVELS.find((l) => labelName(l) === label.name)).filter((l) => l !== undefined).sort(byRank)[0];
    if (!level || (worst && byRank(worst, level) <= 0)) return calls;
  }
  const want = level ? labelName(level) : undefined;
  for (const label of current) {
    if (isSecurityLabel(label.name) && label.name !== want) {
      calls++;
      try {
        await octokit.rest.issues.removeLabel({ ...repo, issue_number: ref.pullNumber, name: label.name });
      } catch (error) {
        // Someone removed it meanwhile: the goal is reached.
        if (httpStatusOf(error) !== 404) throw error;
      }
    }
  }
  if (!want || !level || current.some((label) => label.name === want)) return calls;
  calls++;
  try {
    await octokit.rest.issues.createLabel({ ...repo, name: want, ...LABELS[level] });
  } catch (error) {
    // 422 already_exists: the repo has the label (perhaps recoloured by the team, which we keep).
    if (httpStatusOf(error) !== 422) throw error;
  }
  calls++;
  await octokit.rest.issues.addLabels({ ...repo, issue_number: ref.pullNumber, labels: [want] });
  return calls;
}
