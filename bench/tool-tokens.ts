/**
 * What the model's repository tools cost a review: tokens and model calls with
 * tools on and off, side by side, for the Django fixture (one chunk) and a larger
 * PR (several chunks), with the real app against the loopback fakes. The fake model
 * explores the same way in every chunk: one turn reading a file outside the diff
 * and grepping, then its answer. Prints figures; asserts nothing.
 */
import type { FakeReply } from "../test/support/fake-anthropic.js";
import { OWNER, REPO, startHarness, type Harness } from "../test/support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE } from "../test/support/django-fixtures.js";
import type { GitFixtureSpec } from "../test/support/git-fixture.js";

const MODELS = "from django.db import models\n\n\nclass Invoice(models.Model):\n    tenant = models.ForeignKey('tenants.Tenant', on_delete=models.CASCADE)\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n";

/** The Django fixture: the billing view loses its tenant filter; its model is outside the diff. */
const django: GitFixtureSpec = {
  base: { "backend/billing/views.py": VIEWS_BEFORE, "backend/billing/models.py": MODELS },
  head: { "backend/billing/views.py": VIEWS_AFTER },
};

/** 40 new files over 8 apps: several chunks at the bench's chunk size. */
function largePr(): GitFixtureSpec {
  const head: Record<string, string> = {};
  for (let i = 0; i < 40; i++) head[`backend/app${i % 8}/views_${i}.py`] = Array.from({ length: 60 }, (_, l) => `value_${i}_${l} = Invoice.objects.filter(pk=${l})`).join("\n") + "\n";
  return { base: { "backend/billing/models.py": MODELS }, head };
}

/** One exploring turn per request while tools are offered, then the answer. */
const explorer = (request: { body: Record<string, unknown> }): FakeReply => {
  const turns = (request.body.messages as unknown[]).length;
  if (Array.isArray(request.body.tools) && turns === 1) {
    return { kind: "tool_use", calls: [{ name: "read_file", input: { path: "backend/billing/models.py" } }, { name: "grep", input: { pattern: "class Invoice" } }] };
  }
  return { kind: "json", value: { summary: "Reviewed.", findings: [] } };
};

interface Figures {
  calls: number;
  input: number;
  output: number;
  toolTokens: number;
}

async function review(h: Harness, number: number, spec: GitFixtureSpec, tools: boolean): Promise<Figures> {
  h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", `tools: ${tools}\n`);
  h.anthropic.reset();
  h.anthropic.fallback = explorer;
  const sha = h.openPullRequest(number, spec);
  await h.deliver("opened", number, sha);
  const summary = (await h.completedCheck(sha, 120_000)).output.summary ?? "";
  const m = /(\d+) calls? · \d+ chunks? · tokens: (\d+) in \(\+(\d+) cached read, (\d+) cache write\), (\d+) out/.exec(summary);
  const toolTokens = Number(/tools: .*?, (\d+) tokens/.exec(summary)?.[1] ?? 0);
  return m ? { calls: Number(m[1]), input: Number(m[2]) + Number(m[3]) + Number(m[4]), output: Number(m[5]), toolTokens } : { calls: NaN, input: NaN, output: NaN, toolTokens };
}

/** Runs the bench and returns the figures (also printed). */
export async function benchToolTokens(): Promise<Record<string, { off: Figures; on: Figures }>> {
  const h = await startHarness({ CHUNK_INPUT_TOKENS: "6000", REVIEW_CONCURRENCY: "4" });
  const results: Record<string, { off: Figures; on: Figures }> = {};
  try {
    let number = 1;
    for (const [name, spec] of [["Django fixture (billing view)", django], ["large PR (40 files × 60 lines)", largePr()]] as const) {
      const off = await review(h, number++, spec, false);
      const on = await review(h, number++, spec, true);
      results[name] = { off, on };
    }
  } finally {
    await h.stop();
  }
  console.log("\n## Tokens and model calls per review: tools off vs on (fake model: one exploring turn per chunk)");
  console.log("| fixture | tools | model calls | input tokens (cached incl.) | output tokens | tool tokens | input vs off |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, { off, on }] of Object.entries(results)) {
    console.log(`| ${name} | off | ${off.calls} | ${off.input} | ${off.output} | — | 1.00× |`);
    console.log(`| ${name} | on | ${on.calls} | ${on.input} | ${on.output} | ${on.toolTokens} | ${(on.input / off.input).toFixed(2)}× |`);
  }
  return results;
}
