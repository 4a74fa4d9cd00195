/**
 * Runs the benchmarks and prints their figures: every one, or those named on the
 * command line (`npm run bench -- ack-backends`). Not a test: nothing here fails a build.
 */
import { benchAckAndCalls } from "./ack-and-calls.js";
import { benchAckBackends } from "./ack-backends.js";
import { benchIncrementalTokens } from "./incremental-tokens.js";
import { benchLargePr } from "./large-pr.js";
import { benchLogLines } from "./log-lines.js";
import { benchSnapshotFetch } from "./snapshot-fetch.js";
import { benchReviewThreads } from "./review-threads.js";
import { benchToolTokens } from "./tool-tokens.js";

const benches: Record<string, () => Promise<unknown>> = {
  "ack-and-calls": benchAckAndCalls,
  "large-pr": benchLargePr,
  "incremental-tokens": benchIncrementalTokens,
  "ack-backends": benchAckBackends,
  "log-lines": benchLogLines,
  "snapshot-fetch": benchSnapshotFetch,
  "review-threads": benchReviewThreads,
  "tool-tokens": benchToolTokens,
};
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`Unknown bench: ${unknown.join(", ")}. Choose from: ${Object.keys(benches).join(", ")}.`);
  process.exit(2);
}
for (const [name, run] of Object.entries(benches)) if (chosen.length === 0 || chosen.includes(name)) await run();
