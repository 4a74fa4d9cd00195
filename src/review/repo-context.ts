/**
 * What the model may know of a pull request's repository beyond its diff, for a
 * review and for `ask`: the head commit's files through the snapshot cache (one
 * tarball per commit, shared by the review's chunks and later commands), and the
 * project's instruction files from the default branch, never from the PR's head,
 * whose author could rewrite them. Neither is needed for a review to run: what
 * could not be read is a note, and the review goes on without it.
 */
import type { Logger } from "pino";
import { loadProjectInstructions, type ProjectInstructions } from "../agents/project-instructions.js";
import type { ReviewSettings } from "../config/repo-config.js";
import { messageOf } from "../errors.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { readRepoFile } from "../github/repo-files.js";
import { githubSource } from "../snapshot/github-source.js";
import type { SnapshotOpener } from "../snapshot/snapshot-cache.js";
import type { SnapshotReader } from "../snapshot/snapshot-reader.js";

/** The repository context of one head commit. */
export interface RepoContext {
  /** The head commit's files, when the settings allow tools and the snapshot could be opened. */
  files?: SnapshotReader | undefined;
  projectInstructions?: ProjectInstructions | undefined;
  /** What could not be read, for the summary (a note: the review still runs). */
  notes: string[];
}

/** Reads the context of `headSha`; never throws. */
export async function readRepoContext(
  octokit: Octokit,
  ref: RepoRef & { headSha: string; defaultBranch: string },
  settings: Pick<ReviewSettings, "tools">,
  snapshots: SnapshotOpener | undefined,
  log: Logger,
): Promise<RepoContext> {
  const notes: string[] = [];
  const repo = { owner: ref.owner, repo: ref.repo };
  const [files, projectInstructions] = await Promise.all([
    settings.tools && snapshots
      ? snapshots.open({ ...repo, sha: ref.headSha }, githubSource(octokit, { ...repo, sha: ref.headSha })).catch((error: unknown) => {
          log.warn({ err: error }, "head snapshot could not be opened: reviewing without tools");
          notes.push(`The model reviewed without its repository tools: the head commit's files could not be fetched (${messageOf(error).slice(0, 160)}).`);
          return undefined;
        })
      : undefined,
    loadProjectInstructions((path) => readRepoFile(octokit, { ...repo, path, ref: ref.defaultBranch })).catch((error: unknown) => {
      log.warn({ err: error }, "project instructions could not be read");
      notes.push(`The project's instruction files (CLAUDE.md, REVIEW.md, AGENTS.md) could not be read from the default branch (${messageOf(error).slice(0, 160)}); the review ran without them.`);
      return undefined;
    }),
  ]);
  return { files, projectInstructions, notes };
}
