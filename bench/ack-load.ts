/**
 * The load of the ack benchmark, in a process of its own so that neither the fakes
 * nor log parsing share its event loop. Long-lived, so that its own code is warm and
 * its connections open, as a busy sender's are: each stdin line
 * `<url> <count> <concurrency> <first PR number>` is one measurement; it signs every
 * delivery first, sends them at that concurrency and prints the latencies (ms,
 * sorted) as one JSON line.
 */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { sign } from "@octokit/webhooks-methods";
import { OWNER, REPO, SECRET } from "../test/support/app-harness.js";
import { pullRequestPayload } from "../test/support/signed-webhook.js";

async function measure(url: string, count: number, concurrency: number, first: number): Promise<number[]> {
  // Signing is not what is measured: every body and signature is ready before the clock starts.
  const deliveries = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const body = JSON.stringify(pullRequestPayload("opened", { owner: OWNER, repo: REPO, number: first + i, headSha: randomUUID().replaceAll("-", "").padEnd(40, "0") }));
      return { body, signature: await sign(SECRET, body) };
    }),
  );
  const times: number[] = [];
  let next = 0;
  const sender = async () => {
    for (let i = next++; i < deliveries.length; i = next++) {
      const { body, signature } = deliveries[i]!;
      const started = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "GitHub-Hookshot/bench", "x-github-event": "pull_request", "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
        body,
      });
      await response.text();
      if (response.status !== 200) throw new Error(`delivery answered ${response.status}`);
      times.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return times.sort((a, b) => a - b);
}

for await (const line of createInterface({ input: process.stdin })) {
  const [url = "", count = "200", concurrency = "20", first = "0"] = line.trim().split(/\s+/);
  console.log(JSON.stringify(await measure(url, Number(count), Number(concurrency), Number(first))));
}
