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

describe("model providers", () => {
  it("names the variable a provider needs and lacks", async () => {
    const start = spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: join(dir, "v"), MODEL_PROVIDER: "vertex", ANTHROPIC_VERTEX_PROJECT_ID: "acme-ml" }));
    await expect(start).rejects.toThrow(/Invalid environment: CLOUD_ML_REGION: is required with MODEL_PROVIDER=vertex/);
  });

  it("refuses a default model the provider does not offer, in one line", async () => {
    const env = { DATA_DIR: join(dir, "b"), MODEL_PROVIDER: "bedrock", AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDFAKE", AWS_SECRET_ACCESS_KEY: "fake-secret", ANTHROPIC_BEDROCK_BASE_URL: rig.anthropic.url, DEFAULT_MODEL: "gpt-4o" };
    const start = spawnApp(processEnv(rig.github, rig.anthropic, env));
    await expect(start).rejects.toThrow(/backend-agent: The model "gpt-4o" is not offered by Amazon Bedrock: use sonnet, opus or haiku, or one of its model ids\.\n/);
    expect(rig.anthropic.requests).toEqual([]);
  });
});
