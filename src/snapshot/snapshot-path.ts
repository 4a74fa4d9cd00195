/**
 * Paths the model names are untrusted input: every tool call goes through here
 * before anything touches the disk. A path is relative to the snapshot's root,
 * written with `/`, and may not climb out of it (`..`), start at the file system's
 * root, or reach into git's own metadata (`.git/`), where remotes, hooks and
 * credentials live.
 */

/** Longest path accepted (git allows 4096; Django code is far shorter). */
const MAX_PATH = 1_024;

/** A path the snapshot refused, with the reason shown to the model. */
export class PathRefused extends Error {
  constructor(readonly path: string, reason: string) {
    super(`path refused: ${reason}`);
    this.name = "PathRefused";
  }
}

/**
 * The canonical form of a snapshot path (`backend/./app//x.py` → `backend/app/x.py`,
 * `""`, `.` and `/`-less root forms → `""`), or {@link PathRefused}.
 */
export function snapshotPath(raw: string): string {
  if (raw.length > MAX_PATH) throw new PathRefused(raw.slice(0, 80), `longer than ${MAX_PATH} characters`);
  if (raw.includes("\0")) throw new PathRefused(raw, "contains a NUL character");
  if (raw.includes("\\")) throw new PathRefused(raw, "use / as the separator (\\ is not allowed)");
  if (raw.startsWith("/") || /^[A-Za-z]:\//.test(raw) || raw.startsWith("~")) {
    throw new PathRefused(raw, "absolute paths are outside the repository; give a path relative to its root");
  }
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new PathRefused(raw, "`..` is not allowed: paths stay inside the repository");
  if (parts.some((p) => p.toLowerCase() === ".git")) throw new PathRefused(raw, "`.git/` is git's metadata, not the repository's code");
  return parts.join("/");
}

/** Whether `path` is `dir` itself or inside it (`""` is the root and holds everything). */
export function isWithin(path: string, dir: string): boolean {
  return dir === "" || path === dir || path.startsWith(`${dir}/`);
}
