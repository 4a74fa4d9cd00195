import type { RecordedMessageRequest } from "../support/fake-anthropic.js";
import { OWNER, REPO, startHarness, type Harness } from "../support/app-harness.js";
import { dataBlock, userTextOf } from "../support/data-blocks.js";

const CHUNK_TOKENS = 4_000;

/** `count` new Django files spread over 8 apps, `lines` lines each. */
function bigPr(count: number, lines: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const kind = ["models", "views", "serializers", "tasks", "utils"][i % 5];
    files[`backend/app${i % 8}/${kind}_${i}.py`] = Array.from({ length: lines }, (_, l) => `value_${i}_${l} = compute(${l})`).join("\n") + "\n";
  }
  return files;
}

const pathsIn = (req: RecordedMessageRequest) => [...JSON.stringify(req.body.messages).matchAll(/### (\S+) — /g)].map((m) => m[1]!);

/** Answers every chunk with one finding on the first line of its first file. */
function findingPerChunk(req: RecordedMessageRequest) {
  const [path] = pathsIn(req);
  return { kind: "json" as const, value: { summary: "", findings: [{ path, line: 1, side: "RIGHT", severity: "low", category: "bug", title: `Look at ${path}`, body: "b", confidence: 0.9 }] } };
}

describe("a large pull request", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CHUNK_INPUT_TOKENS: String(CHUNK_TOKENS), REVIEW_CONCURRENCY: "4" });
  });
  afterAll(() => h.stop());

  it("reviews all 400 files: every page of /files fetched, every request under the chunk budget, the agent prompt cached", async () => {
    const files = bigPr(400, 12);
    const sha = h.openPullRequest(301, { base: {}, head: files });
    h.anthropic.fallback = findingPerChunk;
    await h.deliver("opened", 301, sha);
    const check = await h.completedCheck(sha, 60_000);

    const pages = h.github.requestsTo("GET", /\/pulls\/301\/files$/).map((r) => r.query.page ?? "1");
    expect(pages).toEqual(["1", "2", "3", "4"]);
    const sent = h.anthropic.requests.flatMap(pathsIn);
    expect(new Set(sent).size).toBe(400);
    expect(sent).toHaveLength(400);
    for (const req of h.anthropic.requests) {
      const diff = dataBlock(userTextOf(req), "diff") ?? "";
      expect(diff).not.toBe("");
      expect(diff.length / 3.5).toBeLessThanOrEqual(CHUNK_TOKENS * 1.1);
    }
    // Files of one app travel together.
    for (const req of h.anthropic.requests) expect(new Set(pathsIn(req).map((p) => p.split("/")[1])).size).toBeLessThanOrEqual(2);
    expect(check.conclusion).toBe("success");
    expect(check.output.summary).toContain("400 files reviewed");
    expect(check.output.summary).toMatch(new RegExp(`${h.anthropic.requests.length} calls · ${h.anthropic.requests.length} chunks`));
    expect(check.output.summary).toMatch(/\+[1-9]\d* cached read/);
   }, 120_000);

  it("fails on the files beyond GitHub's 3,000-file listing instead of passing them silently, with the exact count", async () => {
    const sha = h.openPullRequest(304, { base: {}, head: bigPr(3_005, 1) });
    h.anthropic.fallback = { kind: "json", value: { summary: "", findings: [] } };
    await h.deliver("opened", 304, sha);
    const check = await h.completedCheck(sha, 60_000);
    expect(h.github.requestsTo("GET", /\/pulls\/304\/files$/)).toHaveLength(30);
    expect(check).toMatchObject({ conclusion: "failure", output: { title: "No findings (review incomplete: 5 files not reviewed)" } });
    expect(check.output.summary).toContain("### Not reviewed (5 files)\n\n- 5 more files beyond the 3,000 GitHub lists for a pull request (names unknown: split the pull request)");
    expect(check.output.summary).toContain("3000 files reviewed");
   }, 120_000);

  it("retries a chunk that fails once, and publishes the other chunks when one keeps failing", async () => {
    const files = bigPr(40, 30);
    const sha = h.openPullRequest(302, { base: {}, head: files });
    let calls = 0;
    const failing = "backend/app0/models_0.py";
    h.anthropic.fallback = (req) => {
      calls++;
      if (calls === 1) return { kind: "error", status: 529, type: "overloaded_error", headers: { "retry-after-ms": "5" } };
      if (pathsIn(req).includes(failing)) return { kind: "error", status: 500, type: "api_error", headers: { "retry-after-ms": "5" } };
      return findingPerChunk(req);
    };
    await h.deliver("opened", 302, sha);
    const check = await h.completedCheck(sha, 60_000);
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toMatch(/ \(review incomplete: \d+ files? not reviewed\)$/);
    expect(check.output.summary).toMatch(/\(`backend\/app0\/models_0\.py`[^)]*\) was not reviewed by the model: The model call failed: the API answered 500\./);
    expect(check.output.summary).toContain(`\`${failing}\` — not reviewed: the model request failed`);
    const [review] = h.github.reviews(OWNER, REPO, 302);
    expect(review!.comments.length).toBeGreaterThan(0);
    expect(review!.comments.map((c) => c.path)).not.toContain(failing);
   }, 120_000);
});

describe("a review past its budget", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CHUNK_INPUT_TOKENS: String(CHUNK_TOKENS), REVIEW_CONCURRENCY: "1", MAX_REVIEW_CHUNKS: "2" });
  });
  afterAll(() => h.stop());

  it("publishes the findings so far, lists every file not reviewed with the exact count, and fails with the reason", async () => {
    const files = bigPr(60, 30);
    const sha = h.openPullRequest(303, { base: {}, head: files });
    h.anthropic.fallback = findingPerChunk;
    await h.deliver("opened", 303, sha);
    const check = await h.completedCheck(sha, 60_000);
    expect(h.anthropic.requests).toHaveLength(2);
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toMatch(/\d+ files were not reviewed: the request budget \(2 requests\) was reached\./);
    const reviewedInRequests = new Set(h.anthropic.requests.flatMap(pathsIn));
    const notReviewed = Object.keys(files).filter((p) => !reviewedInRequests.has(p));
    expect(notReviewed.length).toBeGreaterThan(0);
    for (const path of notReviewed) expect(check.output.summary).toContain(`\`${path}\` — not reviewed: the request budget (2 requests) was reached`);
    expect(check.output.title).toBe(`2 low (review incomplete: ${notReviewed.length} files not reviewed)`);
    expect(check.output.summary).toContain(`### Not reviewed (${notReviewed.length} files)`);
    expect(h.github.reviews(OWNER, REPO, 303)[0]!.comments).toHaveLength(2);
   }, 120_000);
});
