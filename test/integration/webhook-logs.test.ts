/**
 * What a bad delivery leaves in the log of the app as a real process: one warn line
 * saying which delivery and why, never its payload.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, REPO, waitFor } from "../support/app-harness.js";
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
  // A second bad delivery as a barrier: whatever the first made the process write comes before the second's line.
  expect((await sendWebhook(`${app.url}/api/github/webhooks`, { event: "ping", payload: { zen: "x" }, secret: "not-the-secret", deliveryId: "bad-sig-2" })).status).toBe(400);
  const barrier = await waitFor(() => {
    const at = app.logs.findIndex((l, i) => i >= before && l.delivery === "bad-sig-2");
    return at >= 0 ? at : undefined;
  }, "the barrier's log line");

  const lines = app.logs.slice(before, barrier);
  expect(lines).toEqual([expect.objectContaining({ level: 40, msg: "webhook delivery refused", delivery: "bad-sig-1", event: "pull_request", reason: "signature does not match" })]);
  expect(JSON.stringify(app.logs)).not.toContain(CANARY);
});
