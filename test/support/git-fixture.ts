/**
 * Pull-request files built from REAL `git diff` output.
 *
 * Hand-written patches drift from what git (and therefore GitHub) prints — hunk
 * headers, "\ No newline at end of file", binary markers, renames. So a fixture
 * here is a throw-away git repository: commit `base`, apply `head`, commit, diff,
 * and cut the output into the entries GitHub's `GET /pulls/{n}/files` returns.
 *
 * GitHub's behaviour reproduced (sources at `toGitHubFile`):
 * - `patch` is the hunks only, starting at the first `@@`, with no trailing newline;
 * - binary files: no `patch`, additions/deletions 0;
 * - rename without content change: status `renamed`, `previous_filename`, no `patch`, 0/0;
 * - mode-only change (chmod +x): status `modified`, `sha: null`, no `patch`, 0/0.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";

/** A file's content: text, raw bytes, or `null` for "file absent". */
export type FileContent = string | Buffer | null;

/** What the base commit holds and what the pull request's head changes. */
export interface GitFixtureSpec {
  /** Files of the base commit (`null` entries are ignored). */
  base: Record<string, FileContent>;
  /** Only what changes relative to base: absent keys keep base content, `null` deletes. */
  head: Record<string, FileContent>;
  /** Moves of base files; `head[to]` may give the moved file new content. */
  renames?: Array<[from: string, to: string]>;
  /** Paths made executable in head only (a mode-only change unless head also edits them). */
  executable?: string[];
  /** `owner/name`: when given, `blob_url`, `raw_url` and `contents_url` are filled in. */
  repo?: string;
}

/** One entry of GitHub's `GET /repos/{o}/{r}/pulls/{n}/files` (the `diff-entry` schema). */
export interface GitHubFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  previous_filename?: string;
  /** Blob SHA; `null` when only the file mode changed, as GitHub reports it. */
  sha: string | null;
  blob_url?: string;
  raw_url?: string;
  contents_url?: string;
}

/** A built pull request: the temp repository, its two commits and the files GitHub would list. */
export interface GitFixture {
  dir: string;
  baseSha: string;
  headSha: string;
  files: GitHubFile[];
  /** Full `git diff -M --full-index base head` text. */
  diff: string;
  /** Removes the temp repository. */
  cleanup(): void;
}

// A fixed identity and clock make commit SHAs depend on content only.
const FIXED_DATE = "2024-01-01T00:00:00Z";

function gitEnv(): NodeJS.ProcessEnv {
  // Inherited GIT_DIR / GIT_INDEX_FILE (set when tests run from a git hook) would
  // point these commands at the project's own repository.
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith("GIT_"));
  return {
    ...Object.fromEntries(inherited),
    GIT_AUTHOR_NAME: "Fixture Author",
    GIT_AUTHOR_EMAIL: "fixture@example.invalid",
    GIT_AUTHOR_DATE: FIXED_DATE,
    GIT_COMMITTER_NAME: "Fixture Author",
    GIT_COMMITTER_EMAIL: "fixture@example.invalid",
    GIT_COMMITTER_DATE: FIXED_DATE,
    // The developer's own git config (signing, diff.noprefix, renames, colour…)
    // would change SHAs or output; ignore it.
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
  };
}

const GIT_OPTS = ["-c", "core.quotePath=false", "-c", "core.autocrlf=false", "-c", "core.fileMode=true"];

function git(dir: string, args: string[]): string {
  return execFileSync("git", [...GIT_OPTS, ...args], {
    cwd: dir,
    env: gitEnv(),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves a spec path inside the repo, refusing anything that would escape it. */
function inRepo(dir: string, path: string): string {
  const clean = normalize(path);
  if (path === "" || isAbsolute(path) || clean === ".." || clean.startsWith(`..${sep}`)) {
    throw new Error(`git-fixture: path must be relative and inside the repository: ${JSON.stringify(path)}`);
  }
  return join(dir, clean);
}

function writeFile(dir: string, path: string, content: string | Buffer): void {
  const abs = inRepo(dir, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

interface RawEntry {
  status: string; // git's letter: A D M R C T
  oldMode: string;
  newMode: string;
  oldSha: string;
  newSha: string;
  path: string;
  previousPath?: string;
}

/** Parses `git diff --raw -z`: `:oldmode newmode oldsha newsha STATUS\0path\0[path2\0]`. */
function parseRaw(out: string): RawEntry[] {
  const tokens = out.split("\0");
  const entries: RawEntry[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const meta = tokens[i];
    if (meta === undefined || meta === "") continue;
    const [oldMode, newMode, oldSha, newSha, status] = meta.slice(1).split(" ");
    if (!oldMode || !newMode || !oldSha || !newSha || !status) {
      throw new Error(`git-fixture: unexpected raw diff line ${JSON.stringify(meta)}`);
    }
    const letter = status.charAt(0);
    if (letter === "R" || letter === "C") {
      const from = tokens[++i] ?? "";
      const to = tokens[++i] ?? "";
      entries.push({ status: letter, oldMode, newMode, oldSha, newSha, path: to, previousPath: from });
    } else {
      entries.push({ status: letter, oldMode, newMode, oldSha, newSha, path: tokens[++i] ?? "" });
    }
  }
  return entries;
}

/** Parses `git diff --numstat -z` into counts in diff order; binary (`-`) counts as 0. */
function parseNumstat(out: string): Array<{ additions: number; deletions: number }> {
  const tokens = out.split("\0");
  const counts: Array<{ additions: number; deletions: number }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const head = tokens[i];
    if (head === undefined || head === "") continue;
    const [add = "-", del = "-", path = ""] = head.split("\t");
    // A rename leaves the path empty and puts old and new names in the next two tokens.
    if (path === "") i += 2;
    counts.push({ additions: add === "-" ? 0 : Number(add), deletions: del === "-" ? 0 : Number(del) });
  }
  return counts;
}

/** Cuts the full diff into one text per file; inside a hunk no line can start with "diff --git ". */
function splitSections(diff: string): string[] {
  const sections: string[][] = [];
  for (const line of diff.split("\n")) {
    if (line.startsWith("diff --git ")) sections.push([line]);
    else sections[sections.length - 1]?.push(line);
  }
  return sections.map((lines) => lines.join("\n"));
}

/**
 * GitHub's `patch`: from the first `@@` of the file, without the `diff --git`,
 * `index`, mode and `---`/`+++` header lines, and without a trailing newline
 * (real responses end like `...\n+last line` or `...\n\\ No newline at end of file`).
 */
function patchOf(section: string): string | undefined {
  const lines = section.split("\n");
  const start = lines.findIndex((l) => l.startsWith("@@ "));
  if (start < 0) return undefined;
  let end = lines.length;
  while (end > start && lines[end - 1] === "") end--;
  return lines.slice(start, end).join("\n");
}

const STATUS: Record<string, GitHubFile["status"]> = {
  A: "added",
  D: "removed",
  M: "modified",
  R: "renamed",
  C: "copied",
  // Unverified: a type change (file ↔ symlink) is the one git status left for "changed".
  T: "changed",
};

/**
 * Builds one GitHub file entry. What GitHub does, from real API responses quoted in
 * public threads:
 * - a pure rename: `renamed`, `previous_filename`, 0/0, no `patch` (The-PR-Agent/pr-agent#2776);
 * - a binary file: no `patch`, 0/0/0 (47degrees/github4s#180);
 * - a mode-only change: `modified`, `sha: null`, 0/0, no `patch` — not `changed`
 *   (haskell-github/github#392, XAMPPRocky/octocrab#749, github/rest-api-description#4652);
 * - `patch` ends without a newline, also after "\ No newline at end of file".
 */
function toGitHubFile(
  raw: RawEntry,
  counts: { additions: number; deletions: number },
  section: string,
  urls: { repo?: string; headSha: string },
): GitHubFile {
  const status = STATUS[raw.status];
  if (!status) throw new Error(`git-fixture: unsupported git status ${raw.status} for ${raw.path}`);
  const modeOnly = raw.status === "M" && raw.oldSha === raw.newSha;
  const file: GitHubFile = {
    sha: modeOnly ? null : raw.status === "D" ? raw.oldSha : raw.newSha,
    filename: raw.path,
    status,
    additions: counts.additions,
    deletions: counts.deletions,
    changes: counts.additions + counts.deletions,
  };
  if (urls.repo) {
    const encoded = raw.path.split("/").map(encodeURIComponent).join("/");
    file.blob_url = `https://github.com/${urls.repo}/blob/${urls.headSha}/${encoded}`;
    file.raw_url = `https://github.com/${urls.repo}/raw/${urls.headSha}/${encoded}`;
    file.contents_url = `https://api.github.com/repos/${urls.repo}/contents/${encoded}?ref=${urls.headSha}`;
  }
  const patch = patchOf(section);
  if (patch !== undefined) file.patch = patch;
  if (raw.previousPath !== undefined) file.previous_filename = raw.previousPath;
  return file;
}

/** The GitHub file entries (and full diff text) of `git diff from to` in `dir`. */
function filesBetween(dir: string, from: string, to: string, repo?: string): { files: GitHubFile[]; diff: string } {
  const range = [from, to];
  const common = ["diff", "-M", "--no-color", "--no-ext-diff", "--full-index"];
  const diff = git(dir, [...common, ...range]);
  const raw = parseRaw(git(dir, [...common, "--raw", "--no-abbrev", "-z", ...range]));
  const numstat = parseNumstat(git(dir, [...common, "--numstat", "-z", ...range]));
  const sections = splitSections(diff);
  if (raw.length !== numstat.length || raw.length !== sections.length) {
    throw new Error(
      `git-fixture: diff outputs disagree (raw ${raw.length}, numstat ${numstat.length}, patches ${sections.length})`,
    );
  }
  const urls = repo === undefined ? { headSha: to } : { headSha: to, repo };
  const files = raw.map((entry, i) =>
    toGitHubFile(entry, numstat[i] ?? { additions: 0, deletions: 0 }, sections[i] ?? "", urls),
  );
  return { files, diff };
}

/**
 * Creates a temp git repository holding `spec.base` and `spec.head` as two commits
 * and returns the pull-request files GitHub would list for it. Call `cleanup()`.
 */
export function buildPullRequest(spec: GitFixtureSpec): GitFixture {
  const dir = mkdtempSync(join(tmpdir(), "backend-agent-pr-"));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    git(dir, ["init", "-q", "-b", "main"]);
    for (const [path, content] of Object.entries(spec.base)) {
      if (content !== null) writeFile(dir, path, content);
    }
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "-q", "--allow-empty", "--no-verify", "-m", "base"]);
    const baseSha = git(dir, ["rev-parse", "HEAD"]).trim();

    for (const [from, to] of spec.renames ?? []) {
      if (!(from in spec.base) || spec.base[from] === null) {
        throw new Error(`git-fixture: rename source ${from} is not a base file`);
      }
      const target = inRepo(dir, to);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(inRepo(dir, from), target);
    }
    for (const [path, content] of Object.entries(spec.head)) {
      if (content === null) rmSync(inRepo(dir, path), { force: true });
      else writeFile(dir, path, content);
    }
    git(dir, ["add", "-A"]);
    for (const path of spec.executable ?? []) {
      chmodSync(inRepo(dir, path), 0o755);
      // The index bit is what gets committed; setting it directly works on any filesystem.
      git(dir, ["update-index", "--chmod=+x", "--", path]);
    }
    git(dir, ["commit", "-q", "--allow-empty", "--no-verify", "-m", "head"]);
    const headSha = git(dir, ["rev-parse", "HEAD"]).trim();

    const { files, diff } = filesBetween(dir, baseSha, headSha, spec.repo);
    return { dir, baseSha, headSha, files, diff, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** Builds the pull request, returns its GitHub file entries and removes the repository. */
export function diffFixture(spec: GitFixtureSpec): GitHubFile[] {
  const fixture = buildPullRequest(spec);
  try {
    return fixture.files;
  } finally {
    fixture.cleanup();
  }
}

/** One push of a history: what changes relative to its parent commit. */
export interface PushSpec {
  /** Changes on top of the parent: absent keys keep the parent's content, `null` deletes. */
  head: Record<string, FileContent>;
  /**
   * The parent: the previous push (default), an earlier push's index, or `"base"`.
   * Anything but the previous push models a force push that drops commits.
   */
  from?: number | "base";
}

/** A pushed head: its SHA, the PR's files at that head (base...head) and its commits after base, oldest first. */
export interface PushedHead {
  sha: string;
  files: GitHubFile[];
  commits: string[];
}

/** What GitHub's compare API answers for two commits of a history. */
export interface Comparison {
  files: GitHubFile[];
  status: "ahead" | "behind" | "diverged" | "identical";
  aheadBy: number;
  behindBy: number;
}

/** A branch pushed several times (force pushes included), from real git commits. */
export interface GitHistory {
  baseSha: string;
  heads: PushedHead[];
  /** `GET /compare/{from}...{to}` of an earlier push to a later one: files of `git diff from to` and the ancestry counts. */
  compare(from: string, to: string): Comparison;
  cleanup(): void;
}

/**
 * Builds a base commit and one commit per push (each on the previous push unless
 * `from` says otherwise) in a temp repository: the material of "open → push →
 * force push" tests, with the PR's files at every head and real comparisons.
 */
export function buildHistory(spec: { base: Record<string, FileContent>; pushes: PushSpec[]; repo?: string }): GitHistory {
  const dir = mkdtempSync(join(tmpdir(), "backend-agent-history-"));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    git(dir, ["init", "-q", "-b", "main"]);
    for (const [path, content] of Object.entries(spec.base)) if (content !== null) writeFile(dir, path, content);
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "-q", "--allow-empty", "--no-verify", "-m", "base"]);
    const baseSha = git(dir, ["rev-parse", "HEAD"]).trim();
    const heads: PushedHead[] = [];
    spec.pushes.forEach((push, i) => {
      const parent = push.from === "base" ? baseSha : push.from === undefined ? (heads[i - 1]?.sha ?? baseSha) : heads[push.from]?.sha;
      if (parent === undefined) throw new Error(`git-fixture: push ${i} starts from an unknown push`);
      git(dir, ["checkout", "-q", "-f", "--detach", parent]);
      git(dir, ["clean", "-q", "-f", "-d"]);
      for (const [path, content] of Object.entries(push.head)) {
        if (content === null) rmSync(inRepo(dir, path), { force: true });
        else writeFile(dir, path, content);
      }
      git(dir, ["add", "-A"]);
      git(dir, ["commit", "-q", "--allow-empty", "--no-verify", "-m", `push ${i}`]);
      const sha = git(dir, ["rev-parse", "HEAD"]).trim();
      const commits = git(dir, ["rev-list", "--reverse", `${baseSha}..${sha}`]).split("\n").filter(Boolean);
      heads.push({ sha, files: filesBetween(dir, baseSha, sha, spec.repo).files, commits });
    });
    const count = (range: string) => Number(git(dir, ["rev-list", "--count", range]).trim());
    // Every earlier → later pair is computed now, so that the repository can go before the test runs.
    const comparisons = new Map<string, Comparison>();
    heads.forEach((to, j) => {
      for (const from of heads.slice(0, j)) {
        const aheadBy = count(`${from.sha}..${to.sha}`);
        const behindBy = count(`${to.sha}..${from.sha}`);
        const status = aheadBy === 0 && behindBy === 0 ? "identical" : behindBy === 0 ? "ahead" : aheadBy === 0 ? "behind" : "diverged";
        comparisons.set(`${from.sha}...${to.sha}`, { files: filesBetween(dir, from.sha, to.sha, spec.repo).files, status, aheadBy, behindBy });
      }
    });
    const compare = (from: string, to: string): Comparison => {
      const found = comparisons.get(`${from}...${to}`);
      if (!found) throw new Error(`git-fixture: no comparison ${from}...${to} (only earlier → later pushes)`);
      return found;
    };
    return { baseSha, heads, compare, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
