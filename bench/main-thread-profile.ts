/**
 * What runs on the webhook thread while reviews run in threads: the built app as its
 * own process, profiled by the inspector (bench/cpu-profile-preload.mjs), under the
 * review-threads load (a 3,000-file review and ten ordinary ones), then a clean stop so
 * that the profile is written. Prints what crossed to the threads and what GitHub's
 * answers weighed (bench/main-thread-spans.mjs), and the main
 * thread's on-CPU time by function and by file (self time), busiest first.
 * `npx tsx bench/main-thread-profile.ts [REVIEW_WORKERS] [medium|deliveries]` (default 2;
 * `medium`: one 400-file review instead; `deliveries`: 1,000 signed pull_request.opened
 * deliveries at concurrency 20, as the CPU rounds of review-threads send). Not a test.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { processEnv, spawnApp } from "../test/support/app-process.js";
import { startRig } from "../test/support/process-rig.js";
import { drained, startLoad } from "./bench-processes.js";
import { openReviewLoad, pythonFiles } from "./review-load.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time (ms) per key of each sample's node. */
function selfTime(profile: Profile, key: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const k = key(byId.get(id)!);
    out.set(k, (out.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

const IDLE = new Set(["(idle)", "(program)"]);

/** Runs of consecutive samples off idle, longest first, each with its three busiest functions. */
function busyStretches(profile: Profile): Array<{ ms: number; top: string }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out: Array<{ ms: number; top: string }> = [];
  let ms = 0;
  let fns = new Map<string, number>();
  const close = () => {
    if (ms > 0) out.push({ ms, top: [...fns].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([f, t]) => `${f} ${t.toFixed(0)}`).join(", ") });
    ms = 0;
    fns = new Map();
  };
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const delta = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (IDLE.has(node.callFrame.functionName)) return close();
    ms += delta;
    const f = `${node.callFrame.functionName || "(anonymous)"}@${short(node.callFrame.url).split("/").pop()}`;
    fns.set(f, (fns.get(f) ?? 0) + delta);
  });
  close();
  return out.sort((a, b) => b.ms - a.ms);
}

const short = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, "$1/").replace(/^file:\/\/.*?\/dist\//, "dist/");

function print(title: string, times: Map<string, number>, top: number): void {
  console.log(`\n${title}`);
  for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${k}`);
}

const workers = process.argv[2] ?? "2";
const dir = mkdtempSync(join(tmpdir(), "backend-agent-prof-"));
const rig = await startRig();
try {
  rig.anthropic.fallback = { kind: "json", value: { summary: "", findings: [] } };
  const prs = process.argv[3] === "medium" ? [{ number: 950, sha: rig.openPullRequest(950, { base: {}, head: pythonFiles("medium", 400, 75) }) }] : openReviewLoad(rig);
  const app = await spawnApp(processEnv(rig.github, rig.anthropic, { REVIEW_WORKERS: workers, REVIEW_CONCURRENCY: "4", NODE_OPTIONS: ["./cpu-profile-preload.mjs", "./main-thread-spans.mjs"].map((f) => `--import ${fileURLToPath(new URL(f, import.meta.url))}`).join(" "), BENCH_SPANS: join(dir, "spans.txt"), BENCH_CPU_PROFILE: join(dir, "main.cpuprofile"), LOG_LEVEL: process.env.LOG_LEVEL ?? "info" }), { built: true, discardLogs: true });
  app.child.kill("SIGUSR2");
  const started = performance.now();
  if (process.argv[3] === "deliveries") {
    const load = startLoad(1000, 20);
    await load.measure(`${app.url}/api/github/webhooks`);
    await drained(app.url);
    load.stop();
  } else {
    for (const pr of prs) await rig.deliver(app.url, pr.number, pr.sha);
    await Promise.all(prs.map((pr) => rig.completedRuns(pr.sha, 1, 600_000)));
  }
  console.log(`reviews done in ${((performance.now() - started) / 1000).toFixed(1)} s (REVIEW_WORKERS=${workers})`);
  await app.stop("SIGTERM");
  const profile = JSON.parse(readFileSync(join(dir, "main.cpuprofile"), "utf8")) as Profile;
  const busy = selfTime(profile, (n) => (["(idle)", "(program)", "(garbage collector)"].includes(n.callFrame.functionName) ? n.callFrame.functionName : "busy"));
  console.log(`main thread: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled; ${[...busy].map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(", ")}`);
  console.log(readFileSync(join(dir, "spans.txt"), "utf8"));
  const stretches = busyStretches(profile);
  console.log(`\nlongest busy stretches of the main thread (an event-loop delay is one of these): ${stretches.slice(0, 8).map((s) => `${s.ms.toFixed(0)} ms [${s.top}]`).join("; ")}`);
  print("self time by function (main thread)", selfTime(profile, (n) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`), 40);
  print("self time by file (main thread)", selfTime(profile, (n) => short(n.callFrame.url) || n.callFrame.functionName), 30);
} finally {
  await rig.stop();
  if (!process.env.KEEP_PROFILES) rmSync(dir, { recursive: true, force: true });
  else console.log(`profiles kept in ${dir}`);
}
