/**
 * The child of bench/log-lines.ts: logs `count` lines like the webhook handler's
 * ("review queued", through a child logger per delivery) with Probot's JSON logger
 * (`probot`) or the app's (`ours`, src/log.ts), 20 a turn of the event loop as under
 * load, then prints the CPU microseconds a line to stderr.
 */
import { createProbot } from "probot";
import { createJsonLogger } from "../src/log.js";

const [kind = "ours", count = "20000"] = process.argv.slice(2);
const env = { LOG_FORMAT: "json", LOG_LEVEL: "info" } as const;
const probot = createProbot({ env: { ...env }, overrides: { githubToken: "bench", ...(kind === "ours" ? { log: createJsonLogger(env, {}) } : {}) } });
// Probot builds its own logger asynchronously; the first line waits for it.
await new Promise((resolve) => setTimeout(resolve, 200));
const lines = Number(count);
const before = process.cpuUsage();
for (let i = 0; i < lines; i++) {
  const id = `delivery-${i}`;
  probot.log.child({ name: "event", id }).info({ repo: "acme/platform", pr: i, sha: "0".repeat(40), job: id, queued: true }, "review queued");
  if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
}
// The writes still pending are part of the cost.
await new Promise((resolve) => setTimeout(resolve, 300));
const used = process.cpuUsage(before);
process.stderr.write(`${((used.user + used.system) / lines).toFixed(1)}\n`);
