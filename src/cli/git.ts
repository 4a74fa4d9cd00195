/**
 * The few git questions the CLI asks, through the `git` binary: the user's own git
 * knows their repository layout (worktrees, GIT_DIR, sparse checkouts) better than
 * any library would.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { UserFacingError } from "../errors.js";

const run = promisify(execFile);

/**
 * Options that make output independent of the user's git config (colour, external
 * diff tools, rename settings are passed explicitly where they matter).
 */
const FIXED = ["-c", "color.ui=false", "-c", "core.quotePath=false"];

/** A failed git command: its exit code and first line of stderr. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | undefined,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`git ${args.join(" ")} failed: ${stderr.split("\n").find((l) => l.trim()) ?? `exit ${code}`}`, options);
    this.name = "GitError";
  }
}

/** Runs git in `cwd` and returns its stdout; `env` is added to the process's environment. */
export async function git(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run("git", [...FIXED, ...args], {
      cwd,
      env: { ...process.env, ...env },
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; code?: number | string };
    if (e.code === "ENOENT") throw new UserFacingError("git is not installed or not on PATH.", undefined, { cause: error });
    throw new GitError(args, typeof e.code === "number" ? e.code : undefined, e.stderr ?? "", { cause: error });
  }
}

/** The top-level directory of the repository holding `cwd`. */
export async function repoRoot(cwd: string): Promise<string> {
  try {
    return (await git(cwd, ["rev-parse", "--show-toplevel"])).trim();
  } catch (error) {
    if (error instanceof GitError) {
      const bare = /bare repository|must be run in a work tree/.test(error.stderr);
      throw new UserFacingError(
        bare ? `${cwd} is a bare repository: run backend-agent inside a checkout.` : `not a git repository: ${cwd} (run backend-agent inside a git checkout).`,
        undefined,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The commit `ref` names; a name that is no commit is a one-line error. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  try {
    // `--end-of-options` keeps a ref that starts with "-" from being read as an option.
    return (await git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`])).trim();
  } catch (error) {
    if (error instanceof GitError) throw new UserFacingError(`unknown ref "${ref}": no branch, tag or commit of that name in this repository.`, undefined, { cause: error });
    throw error;
  }
}

/** Whether `ref` names a commit, without failing. */
async function exists(root: string, ref: string): Promise<boolean> {
  return resolveCommit(root, ref).then(
    () => true,
    () => false,
  );
}

/**
 * The default branch, as a ref: what `origin/HEAD` points at when the clone knows,
 * else the first of origin/main, origin/master, main, master that exists.
 */
export async function defaultBranch(root: string): Promise<string> {
  const remoteHead = await git(root, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]).then(
    (out) => out.trim(),
    () => "",
  );
  for (const candidate of [remoteHead, "origin/main", "origin/master", "main", "master"]) {
    if (candidate && (await exists(root, candidate))) return candidate;
  }
  throw new UserFacingError("cannot tell the default branch (no origin/HEAD, main or master): pass --base <ref>.");
}

/** The commit a pull request from `head` into `base` would be diffed against (`git diff base...head`). */
export async function mergeBase(root: string, base: string, head: string): Promise<string> {
  try {
    return (await git(root, ["merge-base", base, head])).trim();
  } catch (error) {
    if (error instanceof GitError) throw new UserFacingError(`"${base}" and "${head}" have no common history: pass a --base that the branch grew from.`, undefined, { cause: error });
    throw error;
  }
}

/** A file's text at a commit, or undefined when the commit has no such file. */
export async function showFile(root: string, commit: string, path: string): Promise<string | undefined> {
  const [entry] = (await git(root, ["ls-tree", "-z", commit, "--", path])).split("\0");
  if (!entry) return undefined;
  return git(root, ["cat-file", "blob", `${commit}:${path}`]);
}

/** The subject line of a commit's message. */
export async function subjectOf(root: string, commit: string): Promise<string> {
  return (await git(root, ["log", "-1", "--format=%s", commit])).trim();
}

/**
 * The texts of `specs` (`rev:path`) from one `git cat-file --batch` process (one process for
 * the lot, not one `git show` each); a spec git cannot find maps to undefined.
 */
export async function gitBlobs(cwd: string, specs: readonly string[]): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  if (specs.length === 0) return found;
  const child = spawn("git", [...FIXED, "cat-file", "--batch"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  // A path with a newline cannot be asked for on a line: it is left out.
  const asked = specs.filter((spec) => !spec.includes("\n"));
  child.stdin.end(asked.map((spec) => `${spec}\n`).join(""));
  const code = await exited.catch((error: unknown) => {
    throw new UserFacingError("git is not installed or not on PATH.", undefined, { cause: error });
  });
  if (code !== 0) throw new GitError(["cat-file", "--batch"], code ?? undefined, "");
  // Each answer: `<oid> <type> <size>\n<content>\n`, or `<spec> missing\n` (and `ambiguous`).
  const out = Buffer.concat(chunks);
  let at = 0;
  for (const spec of asked) {
    const eol = out.indexOf(0x0a, at);
    if (eol < 0) break;
    const header = out.toString("utf8", at, eol).split(" ");
    at = eol + 1;
    const size = header.length === 3 ? Number(header[2]) : NaN;
    if (!Number.isInteger(size)) {
      found.set(spec, undefined);
      continue;
    }
    found.set(spec, header[1] === "blob" ? out.toString("utf8", at, at + size) : undefined);
    at += size + 1;
  }
  return found;
}
