/**
 * A local diff as the pull-request files listing would describe it, so that the
 * rest of the pipeline (selection, parsing, rules, placement) cannot tell a local
 * review from the App's. `git diff` is cut per file and each file's `patch` kept
 * the way GitHub returns it: the hunks only, from the first `@@`, without the
 * `diff --git`/`index`/`---`/`+++` header and without a trailing newline.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { ChangedFile } from "../diff/types.js";
import { git, GitError } from "./git.js";

/** What to diff: `head` a commit, or undefined for the working tree (untracked files included). */
export interface DiffRange {
  base: string;
  head?: string | undefined;
}

/** Renames detected as GitHub does; no external diff tool, no colour, whatever the user's config says. */
const DIFF = ["diff", "-M", "--no-color", "--no-ext-diff", "--full-index"];

/** git's status letter → the listing's `status` (a type change, file ↔ symlink, is GitHub's "changed"). */
export const GIT_STATUS: Readonly<Record<string, ChangedFile["status"]>> = {
  A: "added",
  D: "removed",
  M: "modified",
  R: "renamed",
  C: "copied",
  T: "changed",
};

type ListedEntry = Pick<ChangedFile, "status" | "path" | "previousPath" | "sha">;

/**
 * `git diff --raw -z --no-abbrev`: `:oldmode newmode oldsha newsha STATUS\0path\0`, or
 * `...R100\0old\0new\0` for renames and copies. The blob SHA is the one GitHub lists:
 * the old one for a deletion, none (null) for a mode-only change.
 */
function parseRaw(out: string): ListedEntry[] {
  const tokens = out.split("\0");
  const entries: ListedEntry[] = [];
  for (let i = 0; i + 1 < tokens.length; ) {
    const [, , oldSha = "", newSha = "", field = ""] = (tokens[i++] ?? "").replace(/^:/, "").split(" ");
    const letter = field.charAt(0);
    const status = GIT_STATUS[letter];
    if (!status) throw new Error(`unexpected git diff status ${JSON.stringify(letter)}`);
    const sha = letter === "D" ? oldSha : letter === "M" && oldSha === newSha ? null : newSha;
    const first = tokens[i++] ?? "";
    if (letter === "R" || letter === "C") entries.push({ status, previousPath: first, path: tokens[i++] ?? "", sha });
    else entries.push({ status, path: first, sha });
  }
  return entries;
}

/** GitHub's `patch` of one file's section of the diff; undefined for binary and header-only changes. */
function patchOf(section: readonly string[]): string | undefined {
  const start = section.findIndex((line) => line.startsWith("@@ "));
  if (start < 0) return undefined;
  let end = section.length;
  while (end > start && section[end - 1] === "") end--;
  return section.slice(start, end).join("\n");
}

/** One text section per file; a hunk line always starts with " ", "+", "-", "\" or "@", never "diff --git ". */
function sections(diff: string): string[][] {
  const out: string[][] = [];
  for (const line of diff.split("\n")) {
    if (line.startsWith("diff --git ")) out.push([line]);
    else out[out.length - 1]?.push(line);
  }
  return out;
}

function countLines(patch: string | undefined, mark: "+" | "-"): number {
  return patch ? patch.split("\n").filter((line) => line.startsWith(mark)).length : 0;
}

/**
 * Runs `fn` with GIT_INDEX_FILE set to a throw-away copy of the repository's index
 * holding every file of the working tree (`git add -A`, so .gitignore is honoured):
 * untracked files are part of the review, and the user's own index is never touched.
 */
async function withWorkingTreeIndex<T>(root: string, pathspecs: readonly string[], fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "backend-agent-index-"));
  try {
    const path = (await git(root, ["rev-parse", "--git-path", "index"])).trim();
    const index = join(dir, "index");
    // Starting from the real index keeps its stat cache: only changed files are hashed again.
    await copyFile(isAbsolute(path) ? path : join(root, path), index).catch(() => undefined);
    const env = { GIT_INDEX_FILE: index };
    // One pathspec at a time: git refuses the whole `add` when one glob matches nothing (a configured path not in this repository).
    for (const spec of pathspecs) {
      await git(root, ["add", "-A", "--", spec], env).catch((error: unknown) => {
        if (!(error instanceof GitError && /did not match any files/.test(error.stderr))) throw error;
      });
    }
    return await fn(env);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Globs (`backend/**`) as git pathspecs, so git reads only the reviewed paths: a file
 * it cannot read elsewhere in the repository no longer aborts the review. None: everything.
 */
export function globPathspecs(globs: readonly string[]): string[] {
  return globs.length === 0 ? ["."] : globs.map((g) => `:(glob)${g}`);
}

/**
 * The changed files between `range.base` and `range.head` (or the working tree) under
 * `paths` (globs; all files when empty), in git's order. A rename from outside `paths`
 * shows as an added file.
 */
export async function changedFiles(root: string, range: DiffRange, paths: readonly string[] = []): Promise<ChangedFile[]> {
  const specs = globPathspecs(paths);
  const read = async (env: Record<string, string>, args: string[]) => {
    const [names, diff] = await Promise.all([git(root, [...DIFF, "--raw", "--no-abbrev", "-z", ...args], env), git(root, [...DIFF, ...args], env)]);
    return { names: parseRaw(names), parts: sections(diff) };
  };
  const { names, parts } = range.head
    ? await read({}, [range.base, range.head, "--", ...specs])
    : await withWorkingTreeIndex(root, specs, (env) => read(env, ["--cached", range.base, "--", ...specs]));
  if (names.length !== parts.length) {
    throw new Error(`git diff listed ${names.length} files but printed ${parts.length}: cannot pair them`);
  }
  return names.map((entry, i) => {
    const patch = patchOf(parts[i] ?? []);
    return { ...entry, patch, additions: countLines(patch, "+"), deletions: countLines(patch, "-") };
  });
}
