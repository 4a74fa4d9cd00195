import type { ChangedFile } from "../diff/types.js";
import type { Octokit, PullRef } from "./octokit.js";

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;

/**
 * All files of the pull request with their per-file patches, 100 a page. The
 * whole-PR diff is not used: GitHub refuses it past 300 files or 20,000 lines.
 */
export async function listPullRequestFiles(octokit: Octokit, ref: PullRef): Promise<ChangedFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.pullNumber,
    per_page: 100,
  });
  return files.map(toChangedFile);
}

/** A file entry as GitHub lists it (pull-request files and compare share the `diff-entry` shape). */
export interface DiffEntry {
  filename: string;
  previous_filename?: string | undefined;
  status: ChangedFile["status"];
  additions: number;
  deletions: number;
  patch?: string | undefined;
  sha?: string | null | undefined;
}

/** GitHub's `diff-entry` → our {@link ChangedFile}. */
export function toChangedFile(file: DiffEntry): ChangedFile {
  return {
    path: file.filename,
    previousPath: file.previous_filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    patch: file.patch,
    sha: file.sha,
  };
}
