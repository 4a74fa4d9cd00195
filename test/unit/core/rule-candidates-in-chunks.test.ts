/** Each rule candidate travels with the one request that holds its line, also when a large file is split over requests. */
import { candidatesIn, chunkUserTurn } from "../../../src/core/chunk-turn.js";
import { chunkFiles, estimateTokens } from "../../../src/diff/chunk.js";
import { renderNumberedDiff } from "../../../src/diff/render.js";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import { runRules } from "../../../src/rules/index.js";
import { toCandidates } from "../../../src/rules/candidates.js";
import { diffFixture } from "../../support/git-fixture.js";

const filler = (tag: string) => Array.from({ length: 60 }, (_, i) => `${tag}_${i} = ${i}`).join("\n");
const BASE = `${filler("a")}\n\n${"# unchanged\n".repeat(20)}\n${filler("b")}\n`;
// Two hunks far apart, each with a rule hit: the file splits at the hunk boundary.
const HEAD = `${filler("a")}\n\ndef run(request):\n    return eval(request.GET["x"])\n\n${"# unchanged\n".repeat(20)}\n${filler("b")}\n\ndef load(request):\n    return exec(request.body)\n`;

describe("rule candidates in the model's requests", () => {
  const files = diffFixture({ base: { "backend/tools/views.py": BASE }, head: { "backend/tools/views.py": HEAD } })
    .map((f) => toFileDiff({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }));
  const candidates = toCandidates(runRules(files), files);

  it("sends each candidate once, with the part of the file that holds its line", () => {
    expect(candidates.map((c) => c.finding.source)).toEqual(["rule:code-execution/eval", "rule:code-execution/exec"]);
    expect(files[0]!.hunks).toHaveLength(2);
    // Room for one hunk a request: the file is split in two.
    const budget = Math.max(...files[0]!.hunks.map((h) => estimateTokens(renderNumberedDiff(files[0]!, [h.index])))) + 10;
    const chunks = chunkFiles(files, budget);
    expect(chunks).toHaveLength(2);
    const perChunk = chunks.map((chunk) => candidatesIn(chunk, candidates).map((c) => c.id));
    expect(perChunk.flat().sort()).toEqual(["R1", "R2"]);
    const evalChunk = perChunk.findIndex((ids) => ids.includes("R1"));
    expect(perChunk[evalChunk]).toEqual(["R1"]);
    const turn = chunkUserTurn(chunks, evalChunk, ["backend/tools/views.py"], { mode: "review", minConfidence: 0.7, title: "t", chunkTokens: budget, candidates });
    expect(turn).toMatch(/<candidates_[0-9a-f]{16}>\n### R1 — rule code-execution\/eval at backend\/tools\/views\.py:\d+/);
    expect(turn).not.toContain("### R2");
  });

  it("leaves the request as it was when the chunk holds no candidate", () => {
    const chunks = chunkFiles(files, 100_000);
    expect(chunkUserTurn(chunks, 0, [], { mode: "review", minConfidence: 0.7, title: "t", chunkTokens: 100_000 })).not.toContain("candidates");
  });
});
