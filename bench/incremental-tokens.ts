/**
 * Model input tokens of the second review of a large PR after a one-line push, as
 * a share of the first (full) review, with the real app against the loopback fakes
 * and a real git history. Prints figures; asserts nothing (goal: under 10 %).
 */
import { startHarness } from "../test/support/app-harness.js";
import { buildHistory } from "../test/support/git-fixture.js";
import { pushHead } from "../test/support/push-history.js";

const FILES = Number(process.env.BENCH_INCREMENTAL_FILES ?? 120);
const LINES = Number(process.env.BENCH_INCREMENTAL_LINES ?? 40);

/** `FILES` new Django-ish files over 8 apps, `LINES` lines each. */
function largePr(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) {
    const kind = ["models", "views", "serializers", "tasks", "utils"][i % 5];
    files[`backend/app${i % 8}/${kind}_${i}.py`] = Array.from({ length: LINES }, (_, l) => `value_${i}_${l} = compute(${l})`).join("\n") + "\n";
  }
  return files;
}

/** Runs the bench and returns the figures (also printed). */
export async function benchIncrementalTokens(): Promise<{ firstInputTokens: number; secondInputTokens: number; share: number }> {
  const files = largePr();
  const [firstPath, firstText] = Object.entries(files)[0]!;
  const history = buildHistory({
    base: {},
    pushes: [{ head: files }, { head: { [firstPath]: firstText.replace("compute(0)", "compute(0) + 1") } }],
  });
  history.cleanup();
  const h = await startHarness({ CHUNK_INPUT_TOKENS: "8000", REVIEW_CONCURRENCY: "4" });
  try {
    const inputOf = (from: number) =>
      h.anthropic.requests.slice(from).reduce((sum, r) => sum + JSON.stringify(r.body.system ?? "").length + JSON.stringify(r.body.messages ?? "").length, 0);
    const sha1 = pushHead(h, 1, history, 0);
    await h.deliver("opened", 1, sha1);
    const first = await h.completedCheck(sha1, 120_000);
    const afterFirst = h.anthropic.requests.length;
    const sha2 = pushHead(h, 1, history, 1);
    await h.deliver("synchronize", 1, sha2);
    const second = await h.completedCheck(sha2, 120_000);
    // All input the model read: uncached, cache reads (the agent prompt) and cache writes.
    const tokens = (summary: string | undefined) => {
      const m = /tokens: (\d+) in \(\+(\d+) cached read, (\d+) cache write\)/.exec(summary ?? "");
      return m ? Number(m[1]) + Number(m[2]) + Number(m[3]) : NaN;
    };
    const firstInputTokens = tokens(first.output.summary);
    const secondInputTokens = tokens(second.output.summary);
    const share = secondInputTokens / firstInputTokens;
    console.log(`\n## Model input tokens: large PR (${FILES} files × ${LINES} lines), then a one-line push`);
    console.log(`first review: ${firstInputTokens} input tokens (cached included) in ${afterFirst} requests (${inputOf(0)} request chars)`);
    console.log(`second review: ${secondInputTokens} input tokens (cached included) in ${h.anthropic.requests.length - afterFirst} requests (${inputOf(afterFirst)} request chars)`);
    console.log(`second / first: ${(share * 100).toFixed(1)} % (goal: under 10 %)`);
    return { firstInputTokens, secondInputTokens, share };
  } finally {
    await h.stop();
  }
}
