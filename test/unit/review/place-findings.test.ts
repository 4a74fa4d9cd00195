import { toFileDiff } from "../../../src/diff/parse-patch.js";
import type { FileDiff } from "../../../src/diff/types.js";
import { placeFindings } from "../../../src/domain/place-findings.js";
import type { Finding } from "../../../src/domain/findings.js";
import { diffFixture } from "../../support/git-fixture.js";

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n") + "\n";

function diffs(): FileDiff[] {
  const base = numbered(40);
  return diffFixture({
    base: { "backend/a.py": base, "backend/gone.py": numbered(3), "backend/logo.png": Buffer.from([0, 1, 0, 2]) },
    head: {
      "backend/a.py": base.replace("line 3\n", "line three\n").replace("line 35\n", "line thirty-five\n"),
      "backend/gone.py": null,
      "backend/logo.png": Buffer.from([0, 3, 0, 4]),
    },
  }).map((f) => toFileDiff({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }));
}

const finding = (over: Partial<Finding>): Finding => ({
  path: "backend/a.py", line: 3, side: "RIGHT", severity: "high", category: "bug", title: "t", body: "b", confidence: 0.9, source: "model", ...over,
});

describe("placing findings on lines GitHub accepts", () => {
  const files = diffs();

  it("places RIGHT findings on added or context lines and LEFT findings on deleted lines", () => {
    const { placed, unplaced } = placeFindings(
      [finding({ line: 3 }), finding({ line: 5 }), finding({ line: 3, side: "LEFT" }), finding({ path: "backend/gone.py", line: 2, side: "LEFT" })],
      files,
    );
    expect(unplaced).toEqual([]);
    expect(placed.map((f) => `${f.path}:${f.side}${f.line}`)).toEqual(["backend/a.py:RIGHT3", "backend/a.py:RIGHT5", "backend/a.py:LEFT3", "backend/gone.py:LEFT2"]);
  });

  it("lists, with the reason, what GitHub would refuse", () => {
    const { placed, unplaced } = placeFindings(
      [
        finding({ line: 20 }),
        finding({ path: "backend/other.py" }),
        finding({ path: "backend/logo.png", line: 1 }),
        finding({ path: "backend/gone.py", line: 2, side: "RIGHT" }),
      ],
      files,
    );
    expect(placed).toEqual([]);
    expect(unplaced.map((u) => u.reason)).toEqual([
      "line 20 (RIGHT) is outside the diff",
      "file is not part of the reviewed diff",
      "file has no diff to comment on (binary file: no text diff to review)",
      "line 2 (RIGHT) is outside the diff",
    ]);
  });

  it("keeps a range inside one hunk, and narrows one that crosses hunks (dropping its suggestion)", () => {
    const { placed } = placeFindings(
      [finding({ startLine: 1, line: 4, suggestion: "x" }), finding({ startLine: 4, line: 35, suggestion: "y" }), finding({ startLine: 6, line: 6 })],
      files,
    );
    expect(placed.map((f) => [f.startLine, f.line, f.suggestion])).toEqual([[1, 4, "x"], [undefined, 35, undefined], [undefined, 6, undefined]]);
  });
});
