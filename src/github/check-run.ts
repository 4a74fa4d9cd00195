import type { Octokit, RepoRef } from "./octokit.js";

/** GitHub refuses more annotations than this in one request; later PATCHes append. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on `output.summary` and `output.text`, counted in UTF-8 bytes. */
export const MAX_OUTPUT_BYTES = 65_535;

export type CheckConclusion = "success" | "failure" | "neutral" | "skipped" | "timed_out" | "cancelled";

/** A check-run annotation (GitHub's shape). */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

/** Starts the check run `in_progress` on the head commit; returns its id. */
export async function startCheckRun(octokit: Octokit, ref: RepoRef & { name: string; headSha: string; title: string }): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner: ref.owner,
    repo: ref.repo,
    name: ref.name,
    head_sha: ref.headSha,
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
 * run is completed by the final request whatever the count.
 */
export async function completeCheckRun(
  octokit: Octokit,
  ref: RepoRef & { checkRunId: number; conclusion: CheckConclusion; title: string; summary: string; annotations?: Annotation[] },
): Promise<number> {
  const output = { title: ref.title.slice(0, 255), summary: fitOutput(ref.summary) };
  const batches: Annotation[][] = [];
  const annotations = ref.annotations ?? [];
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
  });
  return batches.length + 1;
}
