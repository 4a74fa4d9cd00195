/**
 * Large pull requests against the loopback fakes with a zero-latency model: time
 * from webhook to completed check, peak RSS, GitHub API calls per review, and model
 * input tokens against the minimum. Prints figures; asserts nothing.
 *
 * Octokit's throttling spaces writes about a second apart (3 s for reviews), as
 * GitHub asks. Two measurements separate it out:
 *  - end to end: a signed webhook to the real app, throttling on;
 *  - overhead: `runReview` called directly with the same fakes and an Octokit
 *    whose throttling is off — everything our code does, without those waits.
 */
import { readFileSync } from "node:fs";
import { ProbotOctokit } from "probot";
import pino from "pino";
import { loadBundledAgent } from "../src/agents/load-agent.js";
import { loadEnv } from "../src/config/env.js";
import { buildSystem } from "../src/engine/prompt.js";
import { createModelClient } from "../src/engine/anthropic-client.js";
import type { Octokit } from "../src/github/octokit.js";
import { createMarkerSigner } from "../src/review/marker-signer.js";
import { runReview } from "../src/review/run-review.js";
import { OWNER, REPO, SECRET, startHarness, type Harness } from "../test/support/app-harness.js";
import { BOT_USER } from "../test/support/fake-github.js";
import { processEnv, spawnApp } from "../test/support/app-process.js";
import { startRig } from "../test/support/process-rig.js";

const SIZES = [
  { files: 10, lines: 30 },
  { files: 400, lines: 75 },
  { files: 3000, lines: 4 },
];

function pr(files: number, lines: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < files; i++) {
    out[`backend/app${i % 25}/module_${i}.py`] = Array.from({ length: lines }, (_, l) => `value_${i}_${l} = compute(${l}, "${"x".repeat(l % 17)}")`).join("\n") + "\n";
  }
  return out;
}

/** Samples RSS while `work` runs; returns the peak in MB. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await work();
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The app's own peak RSS for one review: the build as its own process (a fresh one
 * per size, the fakes outside it), one PR opened, read from the kernel's high-water
 * mark (VmHWM) once the check completes.
 */
async function appPeakRssMb(files: Record<string, string>): Promise<number> {
  const rig = await startRig();
  try {
    rig.anthropic.fallback = { kind: "json", value: { summary: "", findings: [] } };
    const sha = rig.openPullRequest(900, { base: {}, head: files });
    const app = await spawnApp(processEnv(rig.github, rig.anthropic, { REVIEW_CONCURRENCY: "4" }), { built: true, discardLogs: true });
    try {
      await rig.deliver(app.url, 900, sha);
      await rig.completedRuns(sha, 1, 300_000);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${app.child.pid}/status`, "utf8"));
      return Number(hwm?.[1] ?? NaN) / 1024;
    } finally {
      await app.stop("SIGKILL");
    }
  } finally {
    await rig.stop();
  }
}

async function unthrottledOctokit(h: Harness): Promise<Octokit> {
  // The fake accepts any well-formed JWT for the installation token, as GitHub would accept ours.
  const jwt = ["e30", "e30", "sig"].join(".");
  const response = await fetch(`${h.github.url}/api/v3/app/installations/1/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}`, accept: "application/vnd.github+json" } });
  const { token } = (await response.json()) as { token: string };
  const Unthrottled = ProbotOctokit.defaults({ throttle: { enabled: false }, retry: { enabled: false } });
  return new Unthrottled({ auth: { token }, baseUrl: `${h.github.url}/api/v3` }) as unknown as Octokit;
}

export async function benchLargePr(): Promise<void> {
  const h = await startHarness({ REVIEW_CONCURRENCY: "4" });
  const env = loadEnv({ ANTHROPIC_API_KEY: "bench", ANTHROPIC_BASE_URL: h.anthropic.url, REVIEW_CONCURRENCY: "4" });
  const agent = await loadBundledAgent(env.AGENT_FILE);
  const systemTokens = Math.ceil(buildSystem(agent)[0]!.text.length / 4);
  h.anthropic.fallback = { kind: "json", value: { summary: "", findings: [] } };
  console.log("\n## Large pull requests (zero-latency model; figures from this 2-core machine)");
  console.log("files | changed lines | end to end (throttled) | overhead (no throttling) | app peak RSS (bench process) | GitHub calls: opened / with history reads | model calls | input tokens sent / minimum | cache share");
  try {
    let number = 500;
    for (const size of SIZES) {
      number++;
      const files = pr(size.files, size.lines);
      const sha = h.openPullRequest(number, { base: {}, head: files });
      const e2eStart = performance.now();
      const e2eFirst = h.github.requests.length;
      await h.deliver("opened", number, sha);
      await h.completedCheck(sha, 300_000);
      const e2e = performance.now() - e2eStart;
      // Tokens and the app's identity (read once per process) are not per-review calls.
      const openedCalls = h.github.requests.slice(e2eFirst).filter((r) => !r.path.includes("/access_tokens") && r.path !== "/app").length;

      h.anthropic.reset();
      h.anthropic.fallback = { kind: "json", value: { summary: "", findings: [] } };
      const before = h.github.requests.length;
      const octokit = await unthrottledOctokit(h);
      const job = { kind: "review" as const, id: `bench-${number}`, installationId: 1, owner: OWNER, repo: REPO, pullNumber: number, headSha: sha, trigger: "bench", mode: "review" as const };
      const t0 = performance.now();
      const { result, peakMb } = await peakRss(() =>
        runReview(job, { octokit, log: pino({ level: "silent" }), anthropic: createModelClient(env), agent, env, markers: createMarkerSigner(SECRET),
          appIdentity: async () => ({ appId: 1, slug: "backend-agent", botLogin: BOT_USER.login }) }),
      );
      const overhead = performance.now() - t0;
      const calls = h.github.requests.length - before - 1; // minus the token request above
      const sent = h.anthropic.requests.map((r) => r.rawBody);
      const usage = result.usage;
      const totalIn = usage.input + usage.cacheRead + usage.cacheWrite;
      const diffChars = sent.reduce((n, body) => n + (/<diff_[0-9a-f]{16}>\\n([\s\S]*?)\\n<\/diff_[0-9a-f]{16}>/.exec(body)?.[1]?.length ?? 0), 0);
      const minimum = systemTokens + Math.ceil(diffChars / 4);
      const changed = size.files * size.lines;
      const appMb = await appPeakRssMb(files);
      console.log(
        `${size.files} | ${changed} | ${(e2e / 1000).toFixed(1)} s | ${(overhead / 1000).toFixed(2)} s | ${appMb.toFixed(0)} MB (${peakMb.toFixed(0)} MB) | ${openedCalls} / ${calls} (goal ≤ ${8 + Math.ceil(size.files / 100)}) | ${h.anthropic.requests.length} | ${totalIn} / ${minimum} = ${(totalIn / minimum).toFixed(2)}× | ${((usage.cacheRead / totalIn) * 100).toFixed(0)}% cached`,
      );
    }
    console.log("(tokens are the fake's count, 4 characters a token; 'minimum' = the system prompt once + the numbered diff once; app peak RSS: the built app as its own process reviewing that PR, read from /proc VmHWM; in brackets the whole bench process, fakes included)");
  } finally {
    await h.stop();
  }
}
