import { plainText } from "../review/neutralise.js";
import type { Annotation, CheckConclusion } from "../domain/conclusions.js";
import type { Octokit, RepoRef } from "./octokit.js";

/** GitHub refuses more annotations than this in one request; later PATCHes append. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on `output.summary` and `output.text`, counted in UTF-8 bytes. */
export const MAX_OUTPUT_BYTES = 65_535;

/** A button on a completed check run; GitHub sends `check_run.requested_action` with its identifier. */
export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

/** Identifier of the "Re-run review" button. */
export const RERUN_ACTION_ID = "rerun";

/** The "Re-run review" button every completed run carries (GitHub: label ≤ 20, description ≤ 40 characters). */
export const RERUN_ACTION: CheckAction = { label: "Re-run review", description: "Review this commit again", identifier: RERUN_ACTION_ID };

/** Suffix of the security pass's check: it must not overwrite the full review's (required) check. */
const SECURITY_SUFFIX = " (security)";

/**
 * The check run's name for an agent and mode: the agent's name for a full review
 * (the name a branch protection rule requires), `<name> (security)` for the
 * security pass, so that a narrower pass with no finding cannot turn a failing
 * required check green.
 */
export function checkRunName(agentName: string, mode: "review" | "security"): string {
  return mode === "security" ? `${agentName}${SECURITY_SUFFIX}` : agentName;
}

/** The mode a check run of ours was made for, or undefined when the name is not ours. */
export function modeOfCheckRun(name: string, agentName: string): "review" | "security" | undefined {
  if (name === agentName) return "review";
  if (name === `${agentName}${SECURITY_SUFFIX}`) return "security";
  return undefined;
}

/**
 * `external_id` of our runs: the PR they review. `check_run.pull_requests` is
 * empty for a PR from a fork, so a re-run finds its PR here instead.
 */
export const checkRunExternalId = (pullNumber: number) => `pr:${pullNumber}`;

/** The PR number in one of our runs' `external_id`, if any. */
export function pullNumberOfExternalId(externalId: string | null | undefined): number | undefined {
  const match = /^pr:(\d+)$/.exec(externalId ?? "");
  return match ? Number(match[1]) : undefined;
}

/** Starts the check run `in_progress` on the head commit; returns its id. */
export async function startCheckRun(
  octokit: Octokit,
  ref: RepoRef & { name: string; headSha: string; title: string; pullNumber?: number | undefined },
): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner: ref.owner,
    repo: ref.repo,
    name: ref.name,
    head_sha: ref.headSha,
    ...(ref.pullNumber !== undefined ? { external_id: checkRunExternalId(ref.pullNumber) } : {}),
    status: "in_progress",
    started_at: new Date().toISOString(),
    output: { title: ref.title, summary: "The review is running." },
  });
  return data.id;
}

/**
 * Cuts text to GitHub's limit (UTF-8 bytes, so emoji count several), saying so at
 * the end rather than failing the request.
 */
export function fitOutput(text: string, limit = MAX_OUTPUT_BYTES): string {
  if (Buffer.byteLength(text) <= limit) return text;
  const note = "\n\n_…truncated: the full report did not fit GitHub's 65,535-byte limit._";
  const room = limit - Buffer.byteLength(note);
  // Decoding a cut buffer may end in half a character; drop it with the replacement char.
  const cut = Buffer.from(text).subarray(0, room).toString("utf8").replace(/\uFFFD$/, "");
  return cut + note;
}

/**
 * Completes the check run. Annotations go 50 a request: every batch but the last
 * in its own PATCH (GitHub appends them), the last with the conclusion, so the
 * run is completed by the final request whatever the count. The run gets the
 * "Re-run review" button unless `actions` says otherwise.
 */
export async function completeCheckRun(
  octokit: Octokit,
  ref: RepoRef & { checkRunId: number; conclusion: CheckConclusion; title: string; summary: string; annotations?: Annotation[]; actions?: CheckAction[] },
): Promise<void> {
  const output = { title: plainText(ref.title.replace(/\s+/g, " "), 255), summary: fitOutput(ref.summary) };
  const batches: Annotation[][] = [];
  // Plain text on GitHub, but model text all the same: bounded, and no marker can be copied out of it.
  const annotations = (ref.annotations ?? []).map((a) => ({ ...a, title: plainText(a.title, 255), message: plainText(a.message, 64_000) }));
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const last = batches.pop() ?? [];
  for (const batch of batches) {
    await octokit.rest.checks.update({ owner: ref.owner, repo: ref.repo, check_run_id: ref.checkRunId, output: { ...output, annotations: batch } });
  }
  await octokit.rest.checks.update({
    owner: ref.owner,
    repo: ref.repo,
    check_run_id: ref.checkRunId,
    status: "completed",
    conclusion: ref.conclusion,
    completed_at: new Date().toISOString(),
    output: last.length ? { ...output, annotations: last } : output,
    actions: ref.actions ?? [RERUN_ACTION],
  });
}

/** What a check run says now: `status` (`queued`, `in_progress`, `completed`, ...), and once completed its conclusion and title. */
export interface CheckRunState {
  status: string;
  conclusion: string | null;
  title: string | null;
}

/** A check run's state now, for the watchdog and for a job that runs again. */
export async function getCheckRunState(octokit: Octokit, ref: RepoRef & { checkRunId: number }): Promise<CheckRunState> {
  const { data } = await octokit.rest.checks.get({ owner: ref.owner, repo: ref.repo, check_run_id: ref.checkRunId });
  return { status: data.status, conclusion: data.conclusion, title: data.output.title };
}
