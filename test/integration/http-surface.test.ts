/**
 * The webhook port as an outsider meets it: oversized bodies, made-up event names,
 * the operators' endpoints, replays of a delivery, and command spam.
 */
import { request } from "node:http";
import { createConnection } from "node:net";
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { startHarness, OWNER, REPO, SECRET, type Harness } from "../support/app-harness.js";
import { pullRequestPayload } from "../support/signed-webhook.js";

const MB = 1024 * 1024;

/** POSTs `size` bytes (a signed PR payload padded to it) with or without content-length; resolves with the answer. */
async function postLarge(url: string, size: number, opts: { chunked: boolean }): Promise<{ status: number; body: string }> {
  const base = JSON.stringify(pullRequestPayload("opened", { owner: OWNER, repo: REPO, number: 1, headSha: "a".repeat(40) }));
  const body = Buffer.from(`${base.slice(0, -1)},"padding":"${"x".repeat(size - base.length - 14)}"}`);
  const headers: Record<string, string> = {
    "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": randomUUID(),
    "x-hub-signature-256": await sign(SECRET, body.toString()),
  };
  if (!opts.chunked) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/github/webhooks`, { method: "POST", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server answers and closes before the body is sent: writes after that fail, as they should.
    req.on("error", (error: NodeJS.ErrnoException) => (["EPIPE", "ECONNRESET"].includes(error.code ?? "") ? undefined : reject(error)));
    let offset = 0;
    const pump = () => {
      while (offset < body.length && !req.destroyed) {
        const chunk = body.subarray(offset, (offset += MB));
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

const metricsText = async (url: string, token?: string) =>
  (await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {})).text();

describe("webhook port with METRICS_TOKEN", () => {
  const TOKEN = "metrics-token-for-tests";
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => h.stop());

  it.each([{ chunked: false }, { chunked: true }])("refuses a 26 MB body with 413 before the handlers see it (chunked: $chunked)", async ({ chunked }) => {
    const answer = await postLarge(h.app.url, 26 * MB, { chunked });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("Payload larger than");
    const metrics = await metricsText(h.app.url, TOKEN);
    expect(metrics).not.toContain("backend_agent_jobs_enqueued_total{");
    expect(metrics).toMatch(/backend_agent_webhook_ack_seconds_count\{status="413"\} [12]/);
    expect(h.app.queue.stats()).toEqual({ waiting: 0, running: 0 });
  });

  it("takes a large body under the cap", async () => {
    const answer = await postLarge(h.app.url, 2 * MB, { chunked: true });
    expect(answer.status).toBe(200);
  });

  it("counts a made-up event as `other`, not under its own name", async () => {
    const name = `made-up-${randomUUID()}`;
    expect((await h.send(name, { action: "x" })).status).toBe(200);
    const metrics = await metricsText(h.app.url, TOKEN);
    expect(metrics).toMatch(/backend_agent_webhooks_received_total\{event="other"\} 1/);
    expect(metrics).not.toContain(name);
  });

  it("serves /metrics and /readyz only with the token; /healthz stays open", async () => {
    for (const path of ["/metrics", "/readyz"]) {
      expect((await fetch(`${h.app.url}${path}`)).status).toBe(401);
      expect((await fetch(`${h.app.url}${path}`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(`${h.app.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    }
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
  });
});

describe("METRICS_PORT", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ METRICS_PORT: "0" });
  });
  afterAll(() => h.stop());

  it("serves /metrics and /readyz on their own port and not on the webhook port", async () => {
    expect(h.app.metricsUrl).not.toBe(h.app.url);
    for (const path of ["/metrics", "/readyz"]) {
      expect((await fetch(`${h.app.url}${path}`)).status).toBe(404);
      expect((await fetch(`${h.app.metricsUrl}${path}`)).status).toBe(200);
    }
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
    expect(await metricsText(h.app.metricsUrl)).toContain("backend_agent_queue_up 1");
    // The operators' port takes no webhooks.
    expect((await fetch(`${h.app.metricsUrl}/api/github/webhooks`, { method: "POST" })).status).toBe(404);
  });
});

describe("request timeouts", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ HEADERS_TIMEOUT_SECONDS: "1", REQUEST_TIMEOUT_SECONDS: "2" });
  });
  afterAll(() => h.stop());

  /** Opens a raw connection to the app and collects what it answers until it closes. */
  function connect() {
    const { port } = new URL(h.app.url);
    const socket = createConnection({ host: "127.0.0.1", port: Number(port) });
    let received = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now())));
    socket.on("error", () => undefined);
    return { socket, closed, received: () => received };
  }

  it("answers 408 and closes a request whose body does not arrive within REQUEST_TIMEOUT_SECONDS", async () => {
    const { socket, closed, received } = connect();
    const started = performance.now();
    socket.write(
      "POST /api/github/webhooks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n" +
        "x-github-event: ping\r\nx-github-delivery: slow-1\r\nx-hub-signature-256: sha256=00\r\n\r\n{",
    );
    const end = await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
    // 2 s, checked every second; generous for a loaded machine.
    expect(end - started).toBeLessThan(10_000);
  });

  it("keeps an idle keep-alive connection open past those timeouts", async () => {
    const { socket, received } = connect();
    const get = "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n";
    socket.write(get);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(socket.destroyed).toBe(false);
    socket.write(get);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received().match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    socket.destroy();
  });
});
