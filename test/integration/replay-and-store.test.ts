/**
 * Replayed deliveries and what the queue keeps at rest, on both backends: a delivery id
 * seen before is not run again after its job ended, and an ended job leaves only its id.
 * Also: an outsider's command spam costs one permission lookup.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { openStore } from "../../src/jobs/sqlite-store.js";
import { startHarness, waitFor, OWNER, REPO, SECRET, type Harness } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { BOT_USER } from "../support/fake-github.js";
import { describeWithRedis, REDIS_URL } from "../support/services.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { issueCommentPayload, sendWebhook } from "../support/signed-webhook.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../support/django-fixtures.js";

const viewsPr = (n: number) => ({ base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": `${VIEWS_AFTER}# ${n}\n` } });
const CANARY = "ZEBRA-CANARY-7731";

/** Delivers a PR, lets its review finish, then replays the same delivery id: no second review. */
async function replayIsRefused(h: Harness, pr: number): Promise<void> {
  const sha = h.openPullRequest(pr, viewsPr(pr));
  const deliveryId = `replay-${randomUUID()}`;
  expect((await h.deliver("opened", pr, sha, { deliveryId })).status).toBe(200);
  await h.completedCheck(sha);
  const modelCalls = h.anthropic.requests.length;

  const replay = await h.deliver("opened", pr, sha, { deliveryId });
  expect(replay.status).toBe(200);
  // The answer waits for the enqueue: a replay let through would be queued or running now.
  await h.idle();
  expect(h.github.checkRuns(OWNER, REPO).filter((r) => r.head_sha === sha)).toHaveLength(1);
  expect(h.anthropic.requests).toHaveLength(modelCalls);
}

/** A writer's `ask` whose question carries the canary, answered. */
async function askWithCanary(h: Harness, pr: number): Promise<void> {
  h.openPullRequest(pr, viewsPr(pr));
  h.github.setPermission(OWNER, REPO, "maya", "write");
  h.anthropic.enqueue({ kind: "json", value: { answer: "It is scoped." } });
  await h.comment(pr, `/backend-agent ask Is this tenant-scoped? ${CANARY}`, { user: "maya" });
  await waitFor(() => (h.botComments(pr).length > 0 ? true : undefined), "the answer");
  await h.idle();
}

describe("embedded queue", () => {
  let h: Harness;
  let root: string;
  let dataDir: string;
  let stopped = false;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "backend-agent-rest-"));
    dataDir = join(root, "created", "data");
    h = await startHarness({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    if (!stopped) await h.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("refuses a delivery id replayed after its job finished", () => replayIsRefused(h, 501));

  it("looks up an outsider's permission once for 50 commands, and tells them once", async () => {
    h.openPullRequest(502, viewsPr(502));
    const modelCalls = h.anthropic.requests.length;
    for (let i = 0; i < 50; i++) expect((await h.comment(502, `/backend-agent review ${i}`, { user: "spammer" })).delivery.status).toBe(200);
    await waitFor(() => (h.github.requestsTo("GET", /\/collaborators\/spammer\/permission$/).length > 0 ? true : undefined), "the lookup");
    await h.idle(60_000);
    expect(h.github.requestsTo("GET", /\/collaborators\/spammer\/permission$/)).toHaveLength(1);
    expect(h.botComments(502).map((c) => c.body)).toEqual([expect.stringContaining("Sorry @spammer")]);
    expect(h.anthropic.requests).toHaveLength(modelCalls);
  });

  it("keeps no command text once the job ended, in files only the app's user can read", async () => {
    await askWithCanary(h, 503);
    await h.stop();
    stopped = true;

    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dataDir);
    expect(files).toContain("jobs.sqlite");
    for (const file of files) {
      const info = statSync(join(dataDir, file));
      // The head-commit snapshot cache: a directory only the app's user can enter, holding the repository's files, never a command's.
      if (info.isDirectory()) {
        expect({ file, mode: info.mode & 0o777 }).toEqual({ file: "snapshots", mode: 0o700 });
        continue;
      }
      expect({ file, mode: info.mode & 0o777 }).toEqual({ file, mode: 0o600 });
      expect(readFileSync(join(dataDir, file)).includes(CANARY)).toBe(false);
    }
    const store = openStore(dataDir);
    try {
      const rows = store.prepare("SELECT id, state, payload FROM jobs").all() as Array<{ id: string; state: string; payload: string }>;
      expect(rows.length).toBeGreaterThanOrEqual(50);
      expect(rows.filter((r) => r.payload !== "")).toEqual([]);
    } finally {
      store.close();
    }
    expect(existsSync(join(dataDir, "jobs.sqlite"))).toBe(true);
  });
});

// As a process: Probot opens a Redis connection of its own for throttling when REDIS_URL is set, which an in-process app would leave open.
describeWithRedis("BullMQ queue", () => {
  const prefix = `test-http-${randomUUID().slice(0, 8)}`;
  let rig: ProcessRig;
  let app: AppProcess;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    rig = await startRig();
    app = await spawnApp(processEnv(rig.github, rig.anthropic, { REDIS_URL, QUEUE_PREFIX: prefix }));
  });
  afterAll(async () => {
    await app.stop("SIGKILL");
    await rig.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("refuses a delivery id replayed after its job finished, and remembers it at least 7 days", async () => {
    const sha = rig.openPullRequest(601, viewsPr(601));
    const deliveryId = `replay-${randomUUID()}`;
    expect((await rig.deliver(app.url, 601, sha, deliveryId)).status).toBe(200);
    await rig.completedRuns(sha, 1);
    const modelCalls = rig.modelCalls();
    expect((await rig.deliver(app.url, 601, sha, deliveryId)).status).toBe(200);
    await rig.barrier(app.url);
    expect(rig.runsOn(sha)).toHaveLength(1);
    expect(rig.modelCalls()).toBe(modelCalls);
    const marker = `${prefix}:delivery:${deliveryId}`;
    expect(await redis.get(marker)).toMatch(/^ended:\d+$/);
    expect(await redis.pttl(marker)).toBeGreaterThan(7 * 24 * 3600_000);
  });

  it("keeps no command text in Redis once the job ended", async () => {
    rig.openPullRequest(602, viewsPr(602));
    rig.github.setPermission(OWNER, REPO, "maya", "write");
    rig.anthropic.enqueue({ kind: "json", value: { answer: "It is scoped." } });
    const body = `/backend-agent ask Is this tenant-scoped? ${CANARY}`;
    const id = rig.github.addIssueComment(OWNER, REPO, 602, { body, user: { login: "maya", type: "User" } });
    const deliveryId = `ask-${randomUUID()}`;
    const payload = issueCommentPayload({ owner: OWNER, repo: REPO, number: 602 }, { body, user: "maya", id });
    expect((await sendWebhook(`${app.url}/api/github/webhooks`, { event: "issue_comment", payload, secret: SECRET, deliveryId })).status).toBe(200);
    await waitFor(() => (rig.github.issueComments(OWNER, REPO, 602).some((c) => c.user.login === BOT_USER.login) ? true : undefined), "the answer");

    const dump = async () => {
      const values: string[] = [];
      for (const key of await redis.keys(`${prefix}:*`)) {
        const type = await redis.type(key);
        if (type === "string") values.push((await redis.get(key)) ?? "");
        else if (type === "hash") values.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === "list") values.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === "zset") values.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === "set") values.push(JSON.stringify(await redis.smembers(key)));
      }
      return values.join("\n");
    };
    // The job is removed from BullMQ just after its handler returns, which is after the reply.
    const until = Date.now() + 10_000;
    let text = await dump();
    while ((text.includes(CANARY) || !(await redis.get(`${prefix}:delivery:${deliveryId}`))?.startsWith("ended")) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await dump();
    }
    expect(await redis.get(`${prefix}:delivery:${deliveryId}`)).toMatch(/^ended:/);
    expect(text).not.toContain(CANARY);
  });
});
