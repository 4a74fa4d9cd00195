import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot, createNodeMiddleware } from "probot";
import type { Context } from "probot";
import {
  checkRunPayload,
  issueCommentPayload,
  pullRequestPayload,
  sendWebhook,
} from "../support/signed-webhook.js";

const SECRET = "webhook-secret";

interface Seen {
  id: string;
  name: string;
  isBot: boolean;
  payload: Context["payload"];
  pullRequest?: { owner: string; repo: string; pull_number: number };
}

describe("signed-webhook against Probot's real webhook verification", () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    const probot = new Probot({ githubToken: "test-token", secret: SECRET, logLevel: "fatal" });
    const middleware = await createNodeMiddleware(
      (app) => {
        app.on(["pull_request", "check_run"], async (context) => {
          seen.push({ id: context.id, name: context.name, isBot: context.isBot, payload: context.payload });
        });
        app.on("issue_comment.created", async (context) => {
          const pullRequest = context.pullRequest();
          seen.push({ id: context.id, name: context.name, isBot: context.isBot, payload: context.payload, pullRequest });
        });
      },
      { probot, webhooksPath: "/api/github/webhooks" },
    );
    server = createServer((req, res) => {
      void middleware(req, res, () => {
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it("delivers a pull_request.opened that Probot verifies, with the PR fields the test set", async () => {
    const payload = pullRequestPayload("opened", {
      owner: "acme",
      repo: "shop",
      number: 42,
      headSha: "a".repeat(40),
      baseSha: "b".repeat(40),
      draft: true,
      installationId: 77,
      user: "alice",
    });

    const delivery = await sendWebhook(url, { event: "pull_request", payload, secret: SECRET, deliveryId: "d-1" });

    expect(delivery.status).toBe(200);
    expect(delivery.ms).toBeGreaterThan(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.id).toBe("d-1");
    expect(seen[0]?.name).toBe("pull_request");
    expect(seen[0]?.payload).toMatchObject({
      action: "opened",
      number: 42,
      installation: { id: 77 },
      repository: { name: "shop", full_name: "acme/shop", owner: { login: "acme" } },
      pull_request: {
        number: 42,
        draft: true,
        url: "https://api.github.com/repos/acme/shop/pulls/42",
        user: { login: "alice" },
        head: { sha: "a".repeat(40) },
        base: { sha: "b".repeat(40), repo: { default_branch: "main", full_name: "acme/shop" } },
      },
    });
    // No URL still points at the example's repository or pull request.
    const text = JSON.stringify(seen[0]?.payload);
    expect(text.includes("Codertocat/Hello-World")).toBe(false);
    expect(text.match(/\/(pulls|pull|issues)\/\d+/g)?.every((link) => link.endsWith("/42"))).toBe(true);
  });

  it("answers a bad signature with an error status and runs no handler", async () => {
    const payload = pullRequestPayload("synchronize", { owner: "acme", repo: "shop", number: 1, headSha: "c".repeat(40) });
    const delivery = await sendWebhook(url, { event: "pull_request", payload, secret: SECRET, signature: "sha256=00" });
    expect(delivery.status).toBe(400);
    expect(seen).toHaveLength(0);

    const wrongSecret = await sendWebhook(url, { event: "pull_request", payload, secret: "not-the-secret" });
    expect(wrongSecret.status).toBe(400);
    expect(seen).toHaveLength(0);
  });

  it.each(["reopened", "synchronize", "ready_for_review", "closed", "edited"] as const)(
    "builds pull_request.%s from a real example",
    async (action) => {
      const payload = pullRequestPayload(action, { owner: "acme", repo: "shop", number: 5, headSha: "d".repeat(40) });
      const delivery = await sendWebhook(url, { event: "pull_request", payload, secret: SECRET });
      expect(delivery.status).toBe(200);
      expect(seen[0]?.payload).toMatchObject({ action, number: 5, installation: { id: 1 } });
    },
  );

  it("delivers an issue_comment on a pull request that Probot's context.pullRequest() understands", async () => {
    const payload = issueCommentPayload(
      { owner: "acme", repo: "shop", number: 9 },
      { body: "/backend-agent review", user: "review-bot[bot]", userType: "Bot", id: 555 },
    );

    expect((await sendWebhook(url, { event: "issue_comment", payload, secret: SECRET })).status).toBe(200);

    expect(seen[0]?.pullRequest).toEqual({ owner: "acme", repo: "shop", pull_number: 9 });
    expect(seen[0]?.isBot).toBe(true);
    expect(seen[0]?.payload).toMatchObject({
      action: "created",
      issue: { number: 9, pull_request: { url: "https://api.github.com/repos/acme/shop/pulls/9" } },
      comment: { id: 555, body: "/backend-agent review", user: { login: "review-bot[bot]", type: "Bot" } },
    });
  });

  it("delivers check_run.rerequested and requested_action tied to the PR", async () => {
    const run = { owner: "acme", repo: "shop", id: 321, headSha: "e".repeat(40), prNumber: 12, appId: 4 };
    for (const action of ["rerequested", "requested_action"] as const) {
      const payload = checkRunPayload(action, { ...run, identifier: "fix" });
      expect((await sendWebhook(url, { event: "check_run", payload, secret: SECRET })).status).toBe(200);
    }
    expect(seen.map((s) => s.payload)).toEqual([
      expect.objectContaining({
        action: "rerequested",
        check_run: expect.objectContaining({
          id: 321,
          name: "backend-agent",
          head_sha: "e".repeat(40),
          app: expect.objectContaining({ id: 4 }),
          pull_requests: [expect.objectContaining({ number: 12 })],
        }),
      }),
      expect.objectContaining({ action: "requested_action", requested_action: { identifier: "fix" } }),
    ]);
    expect(JSON.stringify(seen[1]?.payload).includes("electron/electron")).toBe(false);
  });
});
