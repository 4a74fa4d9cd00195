import type { LabelLevel } from "../domain/conclusions.js";
import { severityRank } from "../domain/findings.js";
import { httpStatusOf } from "../errors.js";
import type { Octokit, PullRef } from "./octokit.js";

const LABELS: Record<LabelLevel, { color: string; description: string }> = {
  critical: { color: "b60205", description: "backend-agent: exploitable security finding open on this PR" },
  high: { color: "d93f0b", description: "backend-agent: high-severity security finding open on this PR" },
  medium: { color: "fbca04", description: "backend-agent: medium-severity security finding open on this PR" },
  low: { color: "c5def5", description: "backend-agent: low-severity security finding open on this PR" },
};

const LEVELS = Object.keys(LABELS) as LabelLevel[];
/** The colour GitHub gives a label it creates because an issue was labelled with a new name. */
const GITHUB_DEFAULT_COLOR = "ededed";
const byRank = (a: LabelLevel, b: LabelLevel) => severityRank(a) - severityRank(b);

/** `security: high` etc. */
export const labelName = (level: LabelLevel) => `security: ${level}`;
const isSecurityLabel = (name: string) => /^security: (critical|high|medium|low)$/.test(name);

/**
 * Makes the PR carry exactly the label of `level` (or none): creates the label with
 * colour and description when the repo lacks it, and removes stale levels.
 */
export async function syncSecurityLabel(
  octokit: Octokit,
  ref: PullRef,
  level: LabelLevel | undefined,
  options: {
    /** A partial pass (the security-only command) may raise the level but never lower or clear it. */
    onlyRaise?: boolean | undefined;
    /** The PR's label names when the caller just read them: saves a request. */
    current?: string[] | undefined;
  } = {},
): Promise<void> {
  const repo = { owner: ref.owner, repo: ref.repo };
  let names = options.current;
  if (!names) {
    const { data } = await octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number: ref.pullNumber, per_page: 100 });
    names = data.map((label) => label.name);
  }
  const current = names.map((name) => ({ name }));
  if (options.onlyRaise) {
    const worst = current.map((label) => LEVELS.find((l) => labelName(l) === label.name)).filter((l) => l !== undefined).sort(byRank)[0];
    if (!level || (worst && byRank(worst, level) <= 0)) return;
  }
  const want = level ? labelName(level) : undefined;
  for (const label of current) {
    if (isSecurityLabel(label.name) && label.name !== want) {
      try {
        await octokit.rest.issues.removeLabel({ ...repo, issue_number: ref.pullNumber, name: label.name });
      } catch (error) {
        // Someone removed it meanwhile: the goal is reached.
        if (httpStatusOf(error) !== 404) throw error;
      }
    }
  }
  if (!want || !level || current.some((label) => label.name === want)) return;
  const { data: added } = await octokit.rest.issues.addLabels({ ...repo, issue_number: ref.pullNumber, labels: [want] });
  const label = added.find((l) => l.name === want);
  // GitHub creates a missing label grey and bare: give it ours once. A team's own colour is kept.
  if (label && label.color === GITHUB_DEFAULT_COLOR && !label.description) {
    await octokit.rest.issues.updateLabel({ ...repo, name: want, color: LABELS[level].color, description: LABELS[level].description });
  }
}
