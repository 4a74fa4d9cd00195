import { DEFAULT_SETTINGS } from "../../../src/config/repo-config.js";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import type { FileDiff } from "../../../src/diff/types.js";
import { conclude } from "../../../src/domain/conclusions.js";
import { analyseFindings, newFileRange } from "../../../src/review/analyse-findings.js";
import type { Finding } from "../../../src/domain/findings.js";
import { diffFixture } from "../../support/git-fixture.js";

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n") + "\n";

const files: FileDiff[] = diffFixture({
  base: { "backend/a.py": numbered(40), "backend/gone.py": numbered(3) },
  head: { "backend/a.py": numbered(40).replace("line 3\n", "line three\n").replace("line 35\n", "line thirty-five\n"), "backend/gone.py": null },
}).map((f) => toFileDiff({ path: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, patch: f.patch }));

const finding = (over: Partial<Finding>): Finding => ({
  path: "backend/a.py", line: 3, side: "RIGHT", severity: "high", category: "bug", title: "t", body: "b", confidence: 0.9, source: "model", ...over,
});

describe("analyseFindings: what is reported, where, and the decision", () => {
  it("merges duplicates, drops low confidence, keeps inline up to maxComments and lists the rest with the reason", () => {
    const { findings, decision } = analyseFindings(
      [
        finding({ line: 3, severity: "medium", title: "model view of it" }),
        finding({ line: 3, severity: "medium", source: "rule:x/y", title: "rule view of it" }),
        finding({ line: 35, severity: "low", title: "second" }),
        finding({ line: 36, severity: "low", title: "third" }),
        finding({ line: 20, title: "off the diff" }),
        finding({ line: 4, title: "unsure", confidence: 0.5 }),
      ],
      files,
      { ...DEFAULT_SETTINGS, maxComments: 2 },
    );
    expect(findings.map((f) => [f.finding.title, f.inline, f.reason])).toEqual([
      ["rule view of it", true, undefined],
      ["second", true, undefined],
      ["third", false, "over the 2-comment limit"],
      ["off the diff", false, "line 20 (RIGHT) is outside the diff"],
    ]);
    expect(findings.every((f) => /^[0-9a-f]{16}$/.test(f.fingerprint))).toBe(true);
    // The off-diff high finding still counts: it is reported, only not inline.
    expect(decision).toEqual({ conclusion: "failure", label: undefined, event: "COMMENT" });
  });

  it("redacts secrets the model quoted before anything is reported", () => {
    const key = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    const { findings } = analyseFindings([finding({ category: "security", title: `Token ${key}`, body: `remove ${key}`, suggestion: `TOKEN = "${key}"` })], files, DEFAULT_SETTINGS);
    expect(JSON.stringify(findings)).not.toContain(key);
    expect(findings[0]!.finding.body).toBe("remove <redacted:github-token>");
  });

  it("labels by the worst security or tenancy finding and fails at failOn", () => {
    const { decision } = analyseFindings([finding({ category: "tenancy", severity: "medium" })], files, DEFAULT_SETTINGS);
    expect(decision).toEqual({ conclusion: "success", label: "medium", event: "COMMENT" });
    expect(analyseFindings([finding({ severity: "medium" })], files, { ...DEFAULT_SETTINGS, failOn: "medium", reviewEvent: "REQUEST_CHANGES" }).decision)
      .toEqual({ conclusion: "failure", label: undefined, event: "REQUEST_CHANGES" });
  });
});

describe("conclude and newFileRange", () => {
  it("lets an incomplete review pass only as onIncomplete says, and never hides a failure", () => {
    const pass = { conclusion: "success", label: undefined, event: "COMMENT" } as const;
    expect(conclude(pass, false, "failure")).toBe("success");
    expect(conclude(pass, true, "neutral")).toBe("neutral");
    expect(conclude(pass, true, "failure")).toBe("failure");
    expect(conclude({ ...pass, conclusion: "failure" }, true, "neutral")).toBe("failure");
  });

  it("maps a finding to lines of the new file: its own range on RIGHT, the hunk start on LEFT, none in a deleted file", () => {
    expect(newFileRange(finding({ startLine: 2, line: 4 }), files[0])).toEqual({ start: 2, end: 4 });
    expect(newFileRange(finding({ side: "LEFT", line: 35 }), files[0])).toEqual({ start: 32, end: 32 });
    expect(newFileRange(finding({ path: "backend/gone.py", side: "LEFT", line: 2 }), files[1])).toBeUndefined();
  });
});
