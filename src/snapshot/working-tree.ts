/**
 * The CLI's snapshot: the files of the local working tree, as git sees them
 * (tracked, plus untracked files that are not ignored, so `.env` and
 * `node_modules/` stay out), confined to the repository's root. Files are read
 * and redacted when a tool asks for them, since the tree can change under us.
 */
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { git } from "../cli/git.js";
import { PathRefused, snapshotPath } from "./snapshot-path.js";
import { directoryLoader, snapshotReader, type ResultLimits, type SnapshotFile, type SnapshotReader } from "./snapshot-reader.js";

/** The working tree at `root` (the output of `git rev-parse --show-toplevel`). */
export async function workingTreeSnapshot(root: string, limits?: Partial<ResultLimits>): Promise<SnapshotReader> {
  const listed = (await git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])).split("\0");
  const files: SnapshotFile[] = [];
  for (const raw of new Set(listed)) {
    if (raw === "") continue;
    let path: string;
    try {
      path = snapshotPath(raw);
    } catch (error) {
      if (error instanceof PathRefused) continue;
      throw error;
    }
    const info = await lstat(join(root, ...path.split("/"))).catch(() => undefined);
    // Deleted in the working tree, or a directory (a submodule): not a readable file.
    if (!info || info.isDirectory()) continue;
    files.push({ path, size: info.isSymbolicLink() ? 0 : info.size });
  }
  return snapshotReader({ files, load: directoryLoader(root, limits?.maxFileBytes), label: "working tree", redacted: false, limits });
}
