/**
 * Preloaded into the app by bench/main-thread-profile.ts with `--spans`: on the main
 * thread, times every MessagePort.postMessage (the structured clone of what goes to a
 * review thread is made there, synchronously) and records the size of every GitHub
 * response body read (Octokit then parses it on this thread). Appends a summary to
 * the file `$BENCH_SPANS` at exit.
 */
import { appendFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { serialize } from "node:v8";
import { isMainThread, MessagePort } from "node:worker_threads";

if (isMainThread && process.env.BENCH_SPANS) {
  const posts = [];
  const bodies = [];
  const post = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (message, ...rest) {
    const started = performance.now();
    const result = post.call(this, message, ...rest);
    const ms = performance.now() - started;
    // Sizing costs a second serialisation: only the slow ones.
    posts.push({ ms, bytes: ms >= 1 ? serialize(message).length : 0 });
    return result;
  };
  const fetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await fetch(input, init);
    const path = new globalThis.URL(String(input instanceof globalThis.Request ? input.url : input)).pathname.replace(/[0-9a-f]{40}/g, "<sha>").replace(/\/\d+/g, "/<n>");
    const text = response.text.bind(response);
    response.text = async () => {
      const body = await text();
      bodies.push({ path, bytes: body.length });
      return body;
    };
    return response;
  };
  process.on("exit", () => {
    const slow = posts.filter((p) => p.ms >= 1).sort((a, b) => b.ms - a.ms);
    const total = posts.reduce((n, p) => n + p.ms, 0);
    appendFileSync(process.env.BENCH_SPANS, `postMessage on the main thread: ${posts.length} calls, ${total.toFixed(0)} ms in all; ${slow.length} of ≥ 1 ms: ${slow.slice(0, 12).map((p) => `${p.ms.toFixed(1)} ms/${(p.bytes / 1024).toFixed(0)} KB`).join(", ")}\n`);
    const byPath = new Map();
    for (const b of bodies) {
      const e = byPath.get(b.path) ?? { n: 0, bytes: 0, max: 0 };
      byPath.set(b.path, { n: e.n + 1, bytes: e.bytes + b.bytes, max: Math.max(e.max, b.bytes) });
    }
    const rows = [...byPath].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 12);
    appendFileSync(process.env.BENCH_SPANS, `GitHub response bodies read as text on the main thread (then parsed there): ${rows.map(([p, e]) => `${p}: ${e.n}× ${(e.bytes / 1024).toFixed(0)} KB (max ${(e.max / 1024).toFixed(0)} KB)`).join("; ")}\n`);
  });
}
