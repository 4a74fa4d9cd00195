/**
 * Webhook ack latency and GitHub API calls per review, against the loopback fakes
 * with the real app (Probot + Octokit + Anthropic SDK). Prints figures; asserts
 * nothing. Run with `npm run bench`.
 */
import { startHarness } from "../test/support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../test/support/django-fixtures.js";

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 40);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export async function benchAckAndCalls(): Promise<void> {
  const h = await startHarness();
  try {
    // One small PR reviewed alone: which GitHub calls a review makes.
    const sha = h.openPullRequest(1, { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER } });
    h.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [modelFinding({ line: lineOf(VIEWS_AFTER, "objects.all()") })] } });
    const start = h.github.requests.length;
    const t0 = performance.now();
    await h.deliver("opened", 1, sha);
    await h.completedCheck(sha, 60_000);
    const ms = performance.now() - t0;
    const calls = h.github.requests.slice(start).map((r) => r.route ?? `${r.method} ${r.path}`);
    console.log(`\n## GitHub API calls for a small PR (1 file, 1 finding): ${calls.length}`);
    for (const call of calls) console.log(`  ${call}`);
    console.log(`webhook → completed check: ${ms.toFixed(0)} ms (includes Octokit's write throttling, ~1 s between writes, 3 s for reviews)`);

    // Ack latency: deliveries one after another, each a different PR; reviews run behind.
    const acks: number[] = [];
    for (let i = 0; i < DELIVERIES; i++) {
      const n = 1000 + i;
      const head = h.openPullRequest(n, { base: { "frontend/x.ts": "a\n" }, head: { "frontend/x.ts": `b${i}\n` } });
      const delivery = await h.deliver("opened", n, head);
      if (delivery.status !== 200) throw new Error(`delivery answered ${delivery.status}`);
      acks.push(delivery.ms);
    }
    acks.sort((a, b) => a - b);
    console.log(`\n## Webhook ack latency over ${DELIVERIES} signed deliveries (sequential, reviews queued behind)`);
    console.log(`p50 ${pct(acks, 50).toFixed(1)} ms · p99 ${pct(acks, 99).toFixed(1)} ms · max ${acks.at(-1)?.toFixed(1)} ms`);
  } finally {
    await h.stop();
  }
}
