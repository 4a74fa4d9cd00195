/**
 * One snapshot fetch in a fresh process, so its RSS is the snapshot's own:
 * `node --import tsx bench/snapshot-fetch-child.ts <github url> <cache dir> <owner> <repo> <sha>`.
 * Prints one JSON line: wall time, peak RSS after the open and after a grep of every .py file,
 * the process's RSS before the fetch, paths listed.
 */
import { Octokit } from "@octokit/rest";
import { githubSource } from "../src/snapshot/github-source.js";
import { SnapshotCache } from "../src/snapshot/snapshot-cache.js";

const [url, dir, owner, repo, sha] = process.argv.slice(2) as [string, string, string, string, string];
const ref = { owner, repo, sha };
const baseRssMb = process.memoryUsage().rss / 1e6;
// Sampled: getrusage's maxRSS is inherited from the parent across fork and exec on Linux.
let peak = baseRssMb;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 1e6)), 5);
const started = performance.now();
// Uncapped glob results, to count every path listed.
const cache = new SnapshotCache({ dir, resultLimits: { maxGlobResults: 1e6, maxResultBytes: 1e9 } });
const snapshot = await cache.open(ref, githubSource(new Octokit({ baseUrl: url, auth: "x" }), ref));
const ms = performance.now() - started;
const openPeakMb = Math.max(peak, process.memoryUsage().rss / 1e6);
const grepStarted = performance.now();
const grep = await snapshot.grep("class \\w+Permission\\(", { glob: "*.py" });
const grepMs = performance.now() - grepStarted;
clearInterval(sampler);
console.log(JSON.stringify({
  ms: Math.round(ms),
  openPeakMb: Math.round(openPeakMb),
  peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss / 1e6)),
  baseRssMb: Math.round(baseRssMb),
  fetches: cache.fetches,
  files: (await snapshot.glob("**")).text.split("\n").length,
  grepMs: Math.round(grepMs),
  grepLines: grep.text.split("\n").length,
}));
