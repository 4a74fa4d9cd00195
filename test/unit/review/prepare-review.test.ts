import { prepareDiffs } from "../../../src/core/prepare-diffs.js";
import { selectFiles } from "../../../src/review/select-files.js";
import type { ChangedFile } from "../../../src/diff/types.js";

const KEY_ID = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
const added = (path: string, lines: string[]): ChangedFile => ({
  path, status: "added", additions: lines.length, deletions: 0, sha: "b".repeat(40), patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`,
});

describe("what the rules and the model each see", () => {
  const files: ChangedFile[] = [
    added("backend/app/views.py", ["X = 1"]),
    added("backend/vendor/lib.py", [`KEY = "${KEY_ID}"`]),
    added("backend/api/models_pb2.py", [`KEY = "${KEY_ID}"`]),
    added("backend/notes.py", ["Y = 2"]),
    { path: "backend/huge.py", status: "modified", additions: 30_000, deletions: 0, sha: "c".repeat(40) },
    { path: "backend/old.py", previousPath: "backend/older.py", status: "renamed", additions: 0, deletions: 0, sha: "d".repeat(40) },
    added("frontend/app.ts", [`const k = "${KEY_ID}";`]),
  ];
  const selection = selectFiles(files, { paths: ["backend/**"], ignore: ["backend/notes.py"] });
  const prepared = prepareDiffs(selection, {});

  it("runs the rules and the secret scan on every file in paths, skip globs included, but not outside paths", () => {
    expect(prepared.ruleFindings.map((f) => f.path).sort()).toEqual(["backend/api/models_pb2.py", "backend/vendor/lib.py"]);
    expect(prepared.diffs.map((d) => d.path)).toHaveLength(6);
  });

  it("sends the model only the files it is meant to review, and counts a file without a patch as unreviewed, a rename as nothing to review", () => {
    expect(prepared.redacted.map((d) => d.path)).toEqual(["backend/app/views.py", "backend/huge.py", "backend/old.py"]);
    expect(prepared.reviewed).toEqual(["backend/app/views.py"]);
    expect(prepared.unreviewed).toEqual([{ path: "backend/huge.py", reason: "not reviewed: diff too large for GitHub to show" }]);
    expect(prepared.skipped).toEqual([
      { path: "backend/vendor/lib.py", reason: "vendored or built files" },
      { path: "backend/api/models_pb2.py", reason: "generated code" },
      { path: "backend/notes.py", reason: "matches `ignore`" },
      { path: "backend/old.py", reason: "renamed without changes" },
    ]);
  });
});
