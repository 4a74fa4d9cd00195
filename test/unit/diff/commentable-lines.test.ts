import { commentableLines, hunkOf } from "../../../src/diff/commentable-lines.js";
import { parsePatch, toFileDiff } from "../../../src/diff/parse-patch.js";
import type { ChangedFile } from "../../../src/diff/types.js";
import { diffFixture, type GitFixtureSpec, type GitHubFile } from "../../support/git-fixture.js";

const numbered = (n: number, tag = "line") => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join("\n") + "\n";

function changed(file: GitHubFile): ChangedFile {
  return { path: file.filename, previousPath: file.previous_filename, status: file.status, additions: file.additions, deletions: file.deletions, patch: file.patch, sha: file.sha };
}
function only(spec: GitFixtureSpec): GitHubFile {
  const files = diffFixture(spec);
  expect(files).toHaveLength(1);
  return files[0]!;
}

describe("commentable lines of real git diffs", () => {
  it("maps a modification: RIGHT = added + context (new numbers), LEFT = deleted + context (old numbers)", () => {
    const base = numbered(10);
    const head = base.replace("line 5\n", "line five\nline 5b\n");
    const file = toFileDiff(changed(only({ base: { "backend/a.py": base }, head: { "backend/a.py": head } })));
    const lines = commentableLines(file);
    // git's default 3 context lines around the change at old line 5.
    expect([...lines.RIGHT.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...lines.LEFT.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const added = file.hunks[0]!.lines.filter((l) => l.kind === "add").map((l) => [l.newLine, l.text]);
    expect(added).toEqual([[5, "line five"], [6, "line 5b"]]);
    const deleted = file.hunks[0]!.lines.filter((l) => l.kind === "del").map((l) => [l.oldLine, l.text]);
    expect(deleted).toEqual([[5, "line 5"]]);
  });

  it("keeps two distant changes in separate hunks", () => {
    const base = numbered(40);
    const head = base.replace("line 3\n", "line three\n").replace("line 35\n", "line thirty-five\n");
    const file = toFileDiff(changed(only({ base: { "backend/a.py": base }, head: { "backend/a.py": head } })));
    expect(file.hunks).toHaveLength(2);
    const lines = commentableLines(file);
    expect(hunkOf(lines, "RIGHT", 3)).toBe(0);
    expect(hunkOf(lines, "RIGHT", 35)).toBe(1);
    expect(hunkOf(lines, "RIGHT", 20)).toBeUndefined();
  });

  it("offers only LEFT lines for a deleted file", () => {
    const file = toFileDiff(changed(only({ base: { "backend/old.py": numbered(4) }, head: { "backend/old.py": null } })));
    expect(file.status).toBe("removed");
    const lines = commentableLines(file);
    expect([...lines.LEFT.keys()]).toEqual([1, 2, 3, 4]);
    expect(lines.RIGHT.size).toBe(0);
  });

  it("offers only RIGHT lines for an added file", () => {
    const file = toFileDiff(changed(only({ base: {}, head: { "backend/new.py": numbered(3) } })));
    const lines = commentableLines(file);
    expect([...lines.RIGHT.keys()]).toEqual([1, 2, 3]);
    expect(lines.LEFT.size).toBe(0);
  });

  it("drops the '\\ No newline at end of file' marker instead of counting it as a line", () => {
    const file = toFileDiff(changed(only({ base: { "backend/a.py": "a\nb\nc\n" }, head: { "backend/a.py": "a\nB\nc" } })));
    const texts = file.hunks.flatMap((h) => h.lines.map((l) => `${l.kind}:${l.text}`));
    expect(texts).toEqual(["context:a", "del:b", "del:c", "add:B", "add:c"]);
    expect([...commentableLines(file).RIGHT.keys()]).toEqual([1, 2, 3]);
  });

  it("keeps unicode text and numbering intact", () => {
    const file = toFileDiff(changed(only({ base: { "backend/ü.py": "naïve = 1\n" }, head: { "backend/ü.py": "naïve = 1\nemoji = '🔐'\n" } })));
    expect(file.path).toBe("backend/ü.py");
    const add = file.hunks[0]!.lines.find((l) => l.kind === "add");
    expect(add).toEqual({ kind: "add", newLine: 2, text: "emoji = '🔐'" });
  });

  it("gives binary, rename-only, mode-only and empty files no hunks, with a reason; only a changed binary counts as unseen", () => {
    const files = diffFixture({
      base: { "backend/logo.png": Buffer.from([0, 1, 2, 3, 0, 255]), "backend/a.py": "x = 1\n", "backend/run.sh": "echo hi\n" },
      head: { "backend/logo.png": Buffer.from([0, 9, 9, 3, 0, 255]), "backend/app/__init__.py": "", "backend/blob.bin": Buffer.from([0, 1, 0, 2]) },
      renames: [["backend/a.py", "backend/b.py"]],
      executable: ["backend/run.sh"],
    }).map((f) => toFileDiff(changed(f)));
    const reasons = Object.fromEntries(files.map((f) => [f.path, [f.hunks.length, f.noHunksReason, f.unseen ?? false]]));
    expect(reasons).toEqual({
      "backend/logo.png": [0, "binary file: no text diff to review", true],
      "backend/blob.bin": [0, "binary file: no text diff to review", true],
      "backend/app/__init__.py": [0, "empty file", false],
      "backend/b.py": [0, "renamed without changes", false],
      "backend/run.sh": [0, "mode change only", false],
    });
  });

  it("counts a file whose diff GitHub left out (lines counted, no patch) as unseen", () => {
    const file = toFileDiff({ path: "backend/huge.py", status: "modified", additions: 40_000, deletions: 2, sha: "a".repeat(40) });
    expect(file).toMatchObject({ hunks: [], noHunksReason: "diff too large for GitHub to show", unseen: true });
  });

  it("parses a renamed file with edits against the new path's numbers", () => {
    const base = numbered(6);
    const file = toFileDiff(changed(only({ base: { "backend/a.py": base }, head: { "backend/b.py": base.replace("line 6\n", "line six\n") }, renames: [["backend/a.py", "backend/b.py"]] })));
    expect(file).toMatchObject({ path: "backend/b.py", previousPath: "backend/a.py", status: "renamed" });
    expect(commentableLines(file).RIGHT.has(6)).toBe(true);
  });

  it("returns no hunks for an empty patch", () => {
    expect(parsePatch("")).toEqual([]);
  });
});
