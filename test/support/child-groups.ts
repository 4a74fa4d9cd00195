/**
 * Every process a test spawns runs in its own process group (`detached: true`) and is
 * tracked here, so it dies with its test: `stopGroup` sends a signal to the whole group
 * and SIGKILLs it after a grace period (a child that ignores SIGTERM still dies), each
 * test file's `afterAll` and the worker's `exit` kill what is left, and a pid file per
 * group lets the run's global teardown (test/support/global-teardown.ts) kill groups of a
 * worker that jest force-killed.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where the run's pid files go; set by the global setup, absent outside jest. */
export const PID_DIR_VARIABLE = "BACKEND_AGENT_TEST_PID_DIR";

const live = new Map<number, ChildProcess>();

/** Sends `signal` to the process group led by `pid`; false when it is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function forget(pid: number): void {
  live.delete(pid);
  const dir = process.env[PID_DIR_VARIABLE];
  if (dir) rmSync(join(dir, String(pid)), { force: true });
}

/** `spawn` in a new process group that this module kills when the test file or worker ends. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const pid = child.pid;
  if (pid === undefined) return child;
  live.set(pid, child);
  const dir = process.env[PID_DIR_VARIABLE];
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, String(pid)), "");
  }
  child.once("exit", () => {
    // The leader is gone; anything it started in its group goes too.
    signalGroup(pid, "SIGKILL");
    forget(pid);
  });
  return child;
}

/**
 * Sends `signal` to the child's group and waits for the child to exit; after `graceMs`
 * the group gets SIGKILL. Resolves with the exit code (null when killed by a signal).
 */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<number | null> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  signalGroup(pid, signal);
  const timer = signal === "SIGKILL" ? undefined : setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every group still alive (synchronous: usable from an `exit` handler). */
export function killAllGroups(): void {
  for (const pid of [...live.keys()]) {
    signalGroup(pid, "SIGKILL");
    forget(pid);
  }
}

process.once("exit", killAllGroups);
// Each test file that spawns anything kills what it left, even when a test timed out.
if (typeof afterAll === "function") afterAll(killAllGroups);
