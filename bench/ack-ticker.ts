/**
 * The steady webhook traffic of the review-threads benchmark, in a process of its own
 * (neither the fakes nor the bench's bookkeeping share its event loop): each stdin line
 * `<url> <interval ms> <duration ms>` sends one signed harmless delivery (a PR comment
 * that is no command) and one GET /healthz every interval for that long, then prints
 * `{ "ack": [ms...], "health": [ms...] }` (sorted) as one JSON line. A delivery that
 * is not answered 200 counts as a 10 s answer, so it shows in the maximum.
 */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { sign } from "@octokit/webhooks-methods";
import { OWNER, REPO, SECRET } from "../test/support/app-harness.js";
import { issueCommentPayload } from "../test/support/signed-webhook.js";

async function timed(request: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  try {
    const response = await request();
    await response.text();
    return response.status === 200 ? performance.now() - started : 10_000;
  } catch {
    return 10_000;
  }
}

async function tick(url: string, intervalMs: number, durationMs: number): Promise<{ ack: number[]; health: number[] }> {
  const body = JSON.stringify(issueCommentPayload({ owner: OWNER, repo: REPO, number: 1 }, { body: "Thanks, looks good to me.", user: "octocat" }));
  const signature = await sign(SECRET, body);
  const ack: Promise<number>[] = [];
  const health: Promise<number>[] = [];
  const until = performance.now() + durationMs;
  while (performance.now() < until) {
    const headers = { "content-type": "application/json", "user-agent": "GitHub-Hookshot/bench", "x-github-event": "issue_comment", "x-github-delivery": randomUUID(), "x-hub-signature-256": signature };
    ack.push(timed(() => fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body })));
    health.push(timed(() => fetch(`${url}/healthz`)));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const sorted = async (times: Promise<number>[]) => (await Promise.all(times)).sort((a, b) => a - b);
  return { ack: await sorted(ack), health: await sorted(health) };
}

for await (const line of createInterface({ input: process.stdin })) {
  const [url = "", interval = "100", duration = "10000"] = line.trim().split(/\s+/);
  console.log(JSON.stringify(await tick(url, Number(interval), Number(duration))));
}
