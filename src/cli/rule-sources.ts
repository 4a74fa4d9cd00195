/**
 * Full texts for the rules in a local review: the changed Python files (head and
 * base) and the project's settings modules, so a rule sees the function around a
 * hunk (`@transaction.atomic` above the changed line) and the project's settings
 * (django-tenants, DRF defaults, middleware) instead of three lines of context.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import picomatch from "picomatch";
import type { ChangedFile } from "../diff/types.js";
import type { FileSources } from "../rules/index.js";
import { isPython, isSettingsFile } from "../rules/paths.js";
import { git, gitBlobs } from "./git.js";

/** Past this many Python files the rules read the hunks alone: a huge change stays fast. */
const MAX_FILES = 400;

/** Head/base texts by path; `head` undefined means the working tree. Unreadable files are left out. */
export async function ruleSources(root: string, range: { base: string; head?: string | undefined }, files: readonly ChangedFile[], paths: readonly string[]): Promise<Map<string, FileSources>> {
  const sources = new Map<string, FileSources>();
  const python = files.filter((f) => isPython(f.path));
  if (python.length > MAX_FILES) return sources;
  // Settings within the reviewed paths only: a review of `backend/` reads nothing outside it.
  const inPaths = paths.length > 0 ? picomatch([...paths], { dot: true }) : () => true;
  const listed = await git(root, ["ls-files", "--", "*.py"]).catch(() => "");
  const settings = listed.split("\n").filter((p) => isSettingsFile(p) && inPaths(p) && !python.some((f) => f.path === p));
  // Every committed text from one `git cat-file --batch`; the working tree's from disk.
  const specs = [
    ...python.flatMap((f) => [
      ...(f.status !== "added" ? [`${range.base}:${f.previousPath ?? f.path}`] : []),
      ...(f.status !== "removed" && range.head !== undefined ? [`${range.head}:${f.path}`] : []),
    ]),
    ...(range.head !== undefined ? settings.map((p) => `${range.head}:${p}`) : []),
  ];
  const blobs = await gitBlobs(root, specs).catch(() => new Map<string, string | undefined>());
  const atHead = (path: string): Promise<string | undefined> =>
    range.head === undefined ? readFile(join(root, path), "utf8").catch(() => undefined) : Promise.resolve(blobs.get(`${range.head}:${path}`));
  for (const f of python) {
    sources.set(f.path, {
      head: f.status === "removed" ? undefined : await atHead(f.path),
      base: f.status === "added" ? undefined : blobs.get(`${range.base}:${f.previousPath ?? f.path}`),
    });
  }
  for (const path of settings) sources.set(path, { head: await atHead(path) });
  return sources;
}
