/** Runs every benchmark and prints its figures. Not a test: nothing here fails a build. */
import { benchAckAndCalls } from "./ack-and-calls.js";

await benchAckAndCalls();
