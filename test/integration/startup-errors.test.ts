/**
 * What stops a start is said in one line that names the variable to change, and the
 * process exits: the app as a real process, as an operator starts it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processEnv, spawnApp } from "../support/app-process.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";

let rig: ProcessRig;
let dir: string;
beforeAll(async () => {
  rig = await startRig();
  dir = mkdtempSync(join(tmpdir(), "backend-agent-startup-"));
});
afterAll(async () => {
  await rig.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("names PORT when the port is taken", async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const start = spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: join(dir, "a"), PORT: String(port) }));
    await expect(start).rejects.toThrow(new RegExp(`backend-agent: PORT: ${port} on 127\\.0\\.0\\.1 is in use by another process; set PORT \\(and HOST\\) to a free port\\n`));
  } finally {
    taken.close();
  }
});

it("names DATA_DIR when the store cannot be created there", async () => {
  writeFileSync(join(dir, "file"), "");
  const start = spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: join(dir, "file", "data") }));
  await expect(start).rejects.toThrow(/backend-agent: DATA_DIR: cannot create the job store in .*file\/data \(ENOTDIR\)/);
});
