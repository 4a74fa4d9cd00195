/**
 * Jest global teardown: the last safety net of child-groups.ts. A worker that jest
 * force-killed, or a test that never reached its `afterAll`, may have left process
 * groups behind; their pid files are here, and each group gets SIGKILL.
 */
import { readdirSync, rmSync } from "node:fs";

// Jest loads this file as CommonJS without the `.js` mapping, so it imports none of ours (see child-groups.ts).
const PID_DIR_VARIABLE = "BACKEND_AGENT_TEST_PID_DIR";

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export default function globalTeardown(): void {
  const dir = process.env[PID_DIR_VARIABLE];
  if (!dir) return;
  let pids: string[];
  try {
    pids = readdirSync(dir);
  } catch {
    return;
  }
  for (const pid of pids) if (/^\d+$/.test(pid)) signalGroup(Number(pid), "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
