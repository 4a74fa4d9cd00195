import { chunkFiles, estimateTokens, orderForReview } from "../../../src/diff/chunk.js";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import type { FileDiff } from "../../../src/diff/types.js";
import { diffFixture } from "../../support/git-fixture.js";

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}_${i} = ${i}`).join("\n") + "\n";

function added(paths: Record<string, string>): FileDiff[] {
  return diffFixture({ base: {}, head: paths }).map((f) => toFileDiff({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }));
}

describe("chunking the diff for the model", () => {
  it("keeps each Django app together, riskiest files first, riskiest apps first (ties by name)", () => {
    const files = added({
      "backend/reports/views.py": "a = 1\n",
      "backend/billing/tasks.py": "b = 1\n",
      "backend/billing/models.py": "c = 1\n",
      "backend/billing/migrations/0002_x.py": "d = 1\n",
      "backend/config/settings/base.py": "e = 1\n",
      "backend/billing/serializers.py": "f = 1\n",
      "backend/README.md": "g\n",
    });
    expect(orderForReview(files).map((f) => f.path)).toEqual([
      "backend/config/settings/base.py",
      "backend/billing/serializers.py",
      "backend/billing/migrations/0002_x.py",
      "backend/billing/models.py",
      "backend/billing/tasks.py",
      "backend/reports/views.py",
      "backend/README.md",
    ]);
  });

  it("packs files under the token budget and covers every hunk exactly once", () => {
    const spec: Record<string, string> = {};
    for (let i = 0; i < 30; i++) spec[`backend/app${i % 3}/m${i}.py`] = lines(40, `v${i}`);
    const files = added(spec);
    const budget = 2_000;
    const chunks = chunkFiles(files, budget);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.estimatedTokens).toBeLessThanOrEqual(budget);
    const covered = chunks.flatMap((c) => c.parts.map((p) => p.file.path)).sort();
    expect(covered).toEqual(files.map((f) => f.path).sort());
    for (const chunk of chunks) expect(chunk.estimatedTokens).toBe(chunk.text.split("\n\n").reduce((n, t) => n + estimateTokens(t), 0));
  });

  it("splits a file larger than one chunk at hunk boundaries, never inside a hunk", () => {
    const base = lines(400, "x");
    const head = base.split("\n").map((l, i) => (i % 20 === 0 ? `${l}  # changed` : l)).join("\n");
    const [file] = diffFixture({ base: { "backend/big.py": base }, head: { "backend/big.py": head } }).map((f) =>
      toFileDiff({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }),
    );
    expect(file!.hunks.length).toBeGreaterThan(10);
    const chunks = chunkFiles([file!], 300);
    expect(chunks.length).toBeGreaterThan(1);
    const hunks = chunks.flatMap((c) => c.parts.flatMap((p) => p.hunkIndexes ?? []));
    expect(hunks).toEqual(file!.hunks.map((h) => h.index));
    for (const chunk of chunks) expect(chunk.text).toContain("### backend/big.py — modified");
  });

  it("sends no chunk for files without hunks", () => {
    const files = diffFixture({ base: { "backend/a.bin": Buffer.from([0, 1]) }, head: { "backend/a.bin": Buffer.from([0, 2]) } }).map((f) =>
      toFileDiff({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }),
    );
    expect(chunkFiles(files, 1000)).toEqual([]);
  });
});
