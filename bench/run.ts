/** Runs every benchmark and prints its figures. Not a test: nothing here fails a build. */
import { benchAckAndCalls } from "./ack-and-calls.js";
import { benchAckBackends } from "./ack-backends.js";
import { benchIncrementalTokens } from "./incremental-tokens.js";
import { benchLargePr } from "./large-pr.js";

await benchAckAndCalls();
await benchLargePr();
await benchIncrementalTokens();
await benchAckBackends();
