/** SQL and exec rules leave test code alone: the built-in test paths, or the repository's `testPaths`. */
import { DEFAULT_SETTINGS } from "../../../src/config/repo-config.js";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import { runRules } from "../../../src/rules/index.js";

const code = ["def run(cursor, name, src):", "    cursor.execute(f\"SELECT * FROM t WHERE name = '{name}'\")", "    exec(src)"];
const fileAt = (path: string) => toFileDiff({ path, status: "added", additions: 3, deletions: 0, patch: `@@ -0,0 +1,3 @@\n${code.map((l) => `+${l}`).join("\n")}` });
const rulesAt = (path: string, testPaths?: string[]) => runRules([fileAt(path)], {}, { testPaths }).map((f) => f.source).sort();

describe("test paths", () => {
  it("reports SQL and exec in application code", () => {
    expect(rulesAt("backend/reports/run.py")).toEqual(["rule:code-execution/exec", "rule:sql-injection/raw-format"]);
  });

  it("skips them in test code, by the built-in list and by the default setting", () => {
    for (const path of ["backend/reports/tests/test_run.py", "backend/conftest.py", "backend/reports/run_tests.py"]) {
      expect(rulesAt(path)).toEqual([]);
      expect(rulesAt(path, DEFAULT_SETTINGS.testPaths)).toEqual([]);
    }
    expect(rulesAt("backend/reports/run.py", DEFAULT_SETTINGS.testPaths)).toHaveLength(2);
  });

  it("follows the repository's own testPaths", () => {
    expect(rulesAt("backend/harness/run.py", ["**/harness/**"])).toEqual([]);
    expect(rulesAt("backend/reports/tests/run.py", ["**/harness/**"])).toHaveLength(2);
  });
});
