/**
 * What a bad delivery leaves in the log of the app as a real process: one warn line
 * saying which delivery and why, never its payload.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, REPO } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { pullRequestPayload, sendWebhook } from "../support/signed-webhook.js";

let rig: ProcessRig;
let app: AppProcess;
let dataDir: string;
beforeAll(async () => {
  rig = await startRig();
  dataDir = mkdtempSync(join(tmpdir(), "backend-agent-logs-"));
  app = await spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: dataDir }));
});
afterAll(async () => {
  await app.stop("SIGKILL");
  await rig.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const CANARY = "PAYLOAD-CANARY-5521";

it("logs a delivery with a bad signature as one warn line without its payload", async () => {
  const payload = { ...pullRequestPayload("opened", { owner: OWNER, repo: REPO, number: 7, headSha: "c".repeat(40) }), note: CANARY };
  const before = app.logs.length;
  const delivery = await sendWebhook(`${app.url}/api/github/webhooks`, { event: "pull_request", payload, secret: "not-the-secret", deliveryId: "bad-sig-1" });
  expect(delivery.status).toBe(400);
  expect(delivery.body).not.toContain(CANARY);
  // Give the process time to write whatever it would.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const lines = app.logs.slice(before);
  expect(lines).toEqual([expect.objectContaining({ level: 40, msg: "webhook delivery refused", delivery: "bad-sig-1", event: "pull_request", reason: "signature does not match" })]);
  expect(JSON.stringify(app.logs)).not.toContain(CANARY);
});
