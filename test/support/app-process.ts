/**
 * The app as a real process (`node --import tsx src/main.ts`), for what only a
 * process shows: SIGKILL, SIGTERM, restarts and several workers. The fakes run in
 * the test process; the child's environment points at them.
 */
import type { ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { API_KEY, SECRET, waitFor } from "./app-harness.js";
import type { FakeAnthropic } from "./fake-anthropic.js";
import type { FakeGitHub } from "./fake-github.js";
import { spawnTracked, stopGroup } from "./child-groups.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** One pino line of the child's stdout. */
export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

/** A running app process. */
export interface AppProcess {
  url: string;
  child: ChildProcess;
  logs: LogLine[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` to the process group and waits for it to end (SIGKILL after a grace period). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment of an app process against these fakes; `env` adds or overrides. */
export function processEnv(github: FakeGitHub, anthropic: FakeAnthropic, env: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ID: "4242", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: github.host, GHE_PROTOCOL: "http",
    HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", LOG_FORMAT: "json",
    ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: anthropic.url, MODEL_MAX_RETRIES: "0",
    // Octokit's 1 s between writes is for GitHub.com; the fake needs none.
    GITHUB_WRITE_INTERVAL_MS: "10",
    ...env,
  };
}

/** Options of {@link spawnApp}. */
export interface SpawnOptions {
  /** Runs the build (`dist/main.js`, as `npm start` does) instead of the sources through tsx. */
  built?: boolean;
  /** Stops parsing the log once the app listens (benchmarks: parsing would load the measuring process). */
  discardLogs?: boolean;
}

/**
 * How long an app may take to log "backend-agent listening": tsx compiles the sources on
 * start, which takes seconds alone and much longer on a loaded machine. Only a failure waits this long.
 */
export const LISTEN_LIMIT_MS = 75_000;

/**
 * Starts `src/main.ts` with `env` (plus PATH) in its own process group and waits until it
 * logs that it listens. The group dies with the test file (child-groups.ts) even if no test stops it.
 */
export async function spawnApp(env: Record<string, string>, options: SpawnOptions = {}): Promise<AppProcess> {
  const args = options.built ? ["dist/main.js"] : ["--import", "tsx", "src/main.ts"];
  const child = spawnTracked(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  let stderr = "";
  let rest = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  let listening: LogLine;
  try {
    listening = await waitFor(() => {
      if (gone) throw new Error(`app process exited before listening:\n${stderr}\n${logs.map((l) => JSON.stringify(l)).join("\n")}`);
      return logs.find((l) => l.msg === "backend-agent listening");
    }, "the app process to listen", LISTEN_LIMIT_MS);
  } catch (error) {
    // Not handed to the test: nobody else would stop it.
    await stopGroup(child, "SIGKILL");
    throw error;
  }
  if (options.discardLogs) child.stdout?.removeAllListeners("data").resume();
  return {
    url: `http://127.0.0.1:${String(listening.port)}`,
    child,
    logs,
    exited,
    async stop(signal = "SIGTERM") {
      if (!gone) await stopGroup(child, signal);
      return exited;
    },
  };
}
