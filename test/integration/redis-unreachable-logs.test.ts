/**
 * What an operator reads when REDIS_URL points at nothing: the app as a real process,
 * every Redis connection (queue, worker, subscriber, spend ledger, GitHub throttling)
 * retrying against a closed port. One line says Redis is unreachable and names
 * REDIS_URL; no line per retry, no stack trace.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, REPO, SECRET } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { pullRequestPayload, sendWebhook } from "../support/signed-webhook.js";

let rig: ProcessRig;
let app: AppProcess | undefined;
let dataDir: string;
beforeAll(async () => {
  rig = await startRig();
  dataDir = mkdtempSync(join(tmpdir(), "backend-agent-redis-down-"));
});
afterAll(async () => {
  await app?.stop("SIGKILL");
  await rig.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it("logs an unreachable Redis once, naming REDIS_URL, not once per retry", async () => {
  // Port 1 is closed: every connect is refused at once, so ioredis retries as fast as its backoff allows.
  app = await spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: dataDir, REDIS_URL: "redis://127.0.0.1:1", QUEUE_PREFIX: "redis-down" }));
  const delivery = await sendWebhook(`${app.url}/api/github/webhooks`, {
    event: "pull_request", payload: pullRequestPayload("opened", { owner: OWNER, repo: REPO, number: 3, headSha: "d".repeat(40) }), secret: SECRET, deliveryId: "redis-down-1",
  });
  // Nothing could be queued: GitHub is told so and redelivers later.
  expect(delivery.status).toBe(503);
  // Ten seconds of retries: before, this wrote ~70 error lines with stack traces.
  await new Promise((resolve) => setTimeout(resolve, 10_000));

  const loud = app.logs.filter((line) => typeof line.level === "number" && line.level >= 40);
  expect(loud.length).toBeLessThanOrEqual(3);
  expect(loud[0]).toEqual(expect.objectContaining({ level: 50, redis: "127.0.0.1:1", code: "ECONNREFUSED", msg: expect.stringContaining("(REDIS_URL) is unreachable") }));
  // The refused delivery is one warn line too, without a stack.
  expect(loud).toContainEqual(expect.objectContaining({ level: 40, job: "redis-down-1", reason: expect.stringContaining("Redis") }));
  expect(JSON.stringify(app.logs)).not.toMatch(/"stack"|at TCPConnectWrap/);
});
