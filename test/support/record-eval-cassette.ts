/**
 * Records the eval cassette the test suite replays (test/fixtures/eval-cassette):
 * `npx tsx test/support/record-eval-cassette.ts`. Run it again when the prompt,
 * the agent or the replay cases change (the replay test then names the requests
 * it has no answer for). The answers come from the scripted fake API, never a real model.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/cli-harness.js";
import { scriptedReviewer, REPLAY_CASES } from "./eval-reviewer.js";
import { FakeAnthropic } from "./fake-anthropic.js";

const ROOT = process.cwd();
const CASSETTE = join(ROOT, "test/fixtures/eval-cassette");

const fake = await FakeAnthropic.start();
try {
  fake.fallback = scriptedReviewer(join(ROOT, "eval/cases"));
  rmSync(CASSETTE, { recursive: true, force: true });
  const run = await runCli(ROOT, ["eval", "--judge", "--threshold-sweep", "--out", join(ROOT, "eval-out"), "--record", CASSETTE, ...REPLAY_CASES.flatMap((c) => ["--case", c])], {
    ANTHROPIC_API_KEY: "fake-key", ANTHROPIC_BASE_URL: fake.url, MODEL_MAX_RETRIES: "0",
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.stdout.write(`${fake.requests.length} requests recorded into ${CASSETTE}\n`);
  process.exitCode = run.code ?? 1;
} finally {
  await fake.stop();
}
