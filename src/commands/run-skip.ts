/**
 * `/<agent> skip <reason>`: a person with write permission passes the current
 * head's check although the review could not cover every file (model down, a file
 * without a patch, a budget) — recorded on the check with who and why. It never
 * passes a check that fails on findings: those are fixed or `ignore`d one by one.
 */
import { redactText } from "../diff/redact.js";
import type { ReviewSettings } from "../config/repo-config.js";
import type { PullRequestInfo } from "../github/pull-request.js";
import type { Octokit, PullRef } from "../github/octokit.js";
import type { RepoRole } from "../github/permissions.js";
import { createSkippedCheckRun, latestCheckRun } from "../github/skip-check-run.js";
import { mayDismiss, refusalText } from "../review/dismissal-policy.js";
import { UNREVIEWED_HEADING } from "../review/incomplete-review.js";
import { reaches, SEVERITIES, type Severity } from "../domain/findings.js";

/** Roles that may skip, whatever `allowedCommenters` says: passing a required check is a write-level decision. */
export const SKIP_ROLES: readonly RepoRole[] = ["admin", "maintain", "write"];

/** What a skip needs. */
export interface SkipInput {
  octokit: Octokit;
  pull: PullRef;
  pr: PullRequestInfo;
  agentName: string;
  failOn: ReviewSettings["failOn"];
  login: string;
  role: RepoRole;
  reason: string;
  /** This app's id: only its own check runs are read back. */
  appId: number;
  /** `allowAuthorDismiss`: whether the PR's author may pass their own PR's check. */
  allowAuthor: boolean;
}

/** The reply, and whether the check was passed. */
export interface SkipResult {
  text: string;
  skipped: boolean;
}

/**
 * The reason as inline code: one line, secrets redacted, no backticks — inside a code
 * span a marker, an `@mention` or HTML is inert text.
 */
export function quoteReason(reason: string): string {
  return `\`${redactText(reason).text.replace(/`/g, "'").replace(/\s+/g, " ").trim()}\``;
}

/** Severities counted in one of our check titles (`2 high, 1 low (review incomplete…)`) that reach `failOn`. */
export function failingCounts(title: string, failOn: ReviewSettings["failOn"]): string[] {
  if (failOn === "never") return [];
  const counts = [...title.slice(0, 255).matchAll(/(\d{1,6}) (critical|high|medium|low|info)\b/g)];
  return counts
    .filter((m) => Number(m[1]) > 0 && SEVERITIES.includes(m[2] as Severity) && reaches(m[2] as Severity, failOn))
    .map((m) => `${m[1]} ${m[2]}`);
}

/** The unreviewed list of one of our summaries (heading and bullet lines), or undefined. */
export function unreviewedSection(summary: string): string | undefined {
  const lines = summary.split("\n");
  const start = lines.findIndex((l) => l.startsWith(UNREVIEWED_HEADING));
  if (start < 0) return undefined;
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("- ")) items.push(line);
    else if (line.trim() !== "" || items.length > 0) break;
  }
  return [lines[start], "", ...items].join("\n");
}

/** Runs the skip; refusals are replies, not errors. */
export async function runSkip(input: SkipInput): Promise<SkipResult> {
  const { agentName: name, pr } = input;
  const sha = pr.headSha.slice(0, 7);
  const refuse = (text: string): SkipResult => ({ text, skipped: false });
  if (input.reason === "") return refuse(`Say why: \`/${name} skip <reason>\`. The reason is recorded on the check.`);
  if (pr.state !== "open") return refuse("This pull request is closed: there is no check to skip.");
  // Passing a required check is a dismissal of the whole review: the same people may do it.
  const verdict = mayDismiss({ login: input.login, role: input.role, prAuthor: pr.author, allowAuthorDismiss: input.allowAuthor });
  if (!verdict.allowed) return refuse(`Nothing was skipped: \`${input.login}\` is ${refusalText(verdict.reason)}. Another maintainer can skip it.`);
  const last = await latestCheckRun(input.octokit, { ...input.pull, headSha: pr.headSha, name, appId: input.appId });
  if (!last) return refuse(`There is no \`${name}\` check on \`${sha}\` yet: wait for the review, then skip it if it ends incomplete.`);
  if (last.status !== "completed") return refuse(`The review of \`${sha}\` is still running: skip it once it has finished, if it ends incomplete.`);
  if (last.conclusion === "success" || last.conclusion === "neutral" || last.conclusion === "skipped") {
    return refuse(`The \`${name}\` check on \`${sha}\` already passes: there is nothing to skip.`);
  }
  const blocking = failingCounts(last.title, input.failOn);
  if (blocking.length > 0) {
    return refuse(
      `The \`${name}\` check on \`${sha}\` fails on findings (${blocking.join(", ")} at \`failOn: ${input.failOn}\`), not only on files that went unreviewed. ` +
        `\`skip\` passes only a review that could not cover every file: fix the findings, or reply \`/${name} ignore\` in their threads.`,
    );
  }
  const unreviewed = unreviewedSection(last.summary);
  const summary = [
    `**Skipped** by \`${input.login}\` (${input.role} permission${input.login.toLowerCase() === pr.author.toLowerCase() ? ", the pull request's author" : ""}): this check passes for \`${pr.headSha}\` without a complete review.`,
    `**Reason:** ${quoteReason(input.reason)}`,
    `The review's own check run (id ${last.id}) ended \`${last.conclusion ?? "unknown"}\`: ${quoteReason(last.title)}.`,
    unreviewed ?? "It listed no unreviewed file (the review could not run at all).",
    `A new push is reviewed as usual; **Re-run review** on this check reviews \`${sha}\` again.`,
  ].join("\n\n");
  await createSkippedCheckRun(input.octokit, { ...input.pull, headSha: pr.headSha, name, title: `Skipped by ${input.login}: review incomplete`, summary });
  return { text: `The \`${name}\` check on \`${sha}\` now passes, skipped by \`${input.login}\`; the reason is recorded on the check. A new push is reviewed as usual.`, skipped: true };
}
