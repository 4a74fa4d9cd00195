/**
 * Runs the real CLI as a child process against throw-away git repositories.
 *
 * The CLI runs from its TypeScript source through tsx's loader
 * (`node --import <tsx> src/cli/main.ts`), not from dist/: building with tsc would
 * add ~10 s to every run of the suite and could race a build another session
 * runs; tsx compiles the few files the CLI imports in well under a second (and
 * caches them), while the process, its argv, stdio, environment and exit code are
 * as real as they are for the built `bin`.
 *
 * Children run asynchronously: a test's fake Anthropic server answers them from
 * this process's event loop, which a synchronous spawn would block.
 */
import { execFileSync } from "node:child_process";
import { spawnTracked } from "../support/child-groups.js";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = process.cwd();
const TSX = createRequire(join(ROOT, "package.json")).resolve("tsx");
const MAIN = join(ROOT, "src/cli/main.ts");

/** Variables of the test process that must not reach the CLI: the developer's key, model knobs, git overrides. */
const DROPPED = /^(GIT_|ANTHROPIC_|MODEL_|MAX_REVIEW_|DEFAULT_MODEL$|CHUNK_INPUT_TOKENS$|REVIEW_CONCURRENCY$|NODE_OPTIONS$|FORCE_COLOR$|NO_COLOR$|DEBUG$)/;

/** A fixed identity and clock, and no user or system git config (signing, hooks, diff settings). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !DROPPED.test(name))),
    GIT_AUTHOR_NAME: "Fixture Author",
    GIT_AUTHOR_EMAIL: "fixture@example.invalid",
    GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
    GIT_COMMITTER_NAME: "Fixture Author",
    GIT_COMMITTER_EMAIL: "fixture@example.invalid",
    GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

/** Runs git in `dir` with the clean environment. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, env: cleanEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Writes files (`null` deletes) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string | null>): void {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(dir, path);
    if (content === null) rmSync(abs, { force: true });
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  }
}

/** A repository: `main` holds `base`, branch `feature` one commit with `head` on top of it. */
export interface TempRepo {
  dir: string;
  cleanup(): void;
}

/** Creates the repository in a temp directory; `feature` is checked out. */
export function makeRepo(base: Record<string, string | null>, head: Record<string, string | null>, subject = "Change"): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), "backend-agent-cli-"));
  git(dir, "init", "-q", "-b", "main");
  writeFiles(dir, base);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", "base");
  git(dir, "checkout", "-q", "-b", "feature");
  writeFiles(dir, head);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", subject);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the CLI did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `backend-agent <args>` in `cwd`; `env` is added to the clean environment. */
export function runCli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // Its own process group, killed with the test file if it hangs.
    const child = spawnTracked(process.execPath, ["--import", TSX, MAIN, ...args], { cwd, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
