/**
 * What the review core tells while it runs: plain data, one way. A front end shows
 * it (the CLI's `chunks 3/7 done`), the app logs it; nobody answers back, so the
 * core never waits on, or calls into, whoever listens.
 */
import type { TokenUsage } from "../engine/review-engine.js";

/** One event of a review's model stage. */
export type ReviewEvent =
  /** The model stage starts: how many files go to which model in how many requests. */
  | { type: "model-stage-started"; model: string; files: number; chunks: number }
  /** A chunk's request goes out (`part` counts from 1). */
  | { type: "chunk-started"; part: number; parts: number; paths: string[] }
  /** A chunk is answered, or failed, or was not sent (budget, newer head): `done` of `parts` are settled. */
  | {
      type: "chunk-done"; part: number; parts: number; done: number; outcome: "answered" | "failed" | "not sent";
      /** Findings kept and dropped as malformed (answered chunks), or why it failed / was not sent. */
      findings?: number; dropped?: string[]; reason?: string;
      /** A failed request's HTTP status and the provider's request id, for the logs. */
      status?: number; requestId?: string;
    }
  /** One model call was answered and billed (retries and unusable answers included). */
  | { type: "usage"; usage: TokenUsage; costUsd: number };

/** Where the core's events go; may be absent. */
export type ReviewEventSink = (event: ReviewEvent) => void;
