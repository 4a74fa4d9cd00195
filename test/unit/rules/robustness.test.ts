/**
 * Rules run on whatever a pull request contains. Every fixture's patch is replayed
 * under every kind of path a rule cares about (settings, models, migrations,
 * templates, dotenv), so each rule meets code it was not written for: it may find
 * things, but it must not throw, and its findings must still be placeable.
 */
import { commentableLines, hunkOf } from "../../../src/diff/commentable-lines.js";
import { toFileDiff } from "../../../src/diff/parse-patch.js";
import { runRules } from "../../../src/rules/index.js";
import { allPatches } from "./load-fixture.js";

const patches = allPatches();
const PATHS = [
  "app/settings.py",
  "app/settings/production.py",
  "app/billing/models.py",
  "app/billing/migrations/0002_x.py",
  "app/templates/page.html",
  "app/.env",
  "app/tasks.py",
];

describe("rules on unexpected input", () => {
  it.each(PATHS)("never throw and place every finding for %s", (path) => {
    for (const patch of patches) {
      const file = toFileDiff({ path, status: "modified", additions: 1, deletions: 1, patch });
      const findings = runRules([file]);
      const lines = commentableLines(file);
      for (const f of findings) expect(hunkOf(lines, f.side, f.line)).toEqual(expect.any(Number));
    }
  });
});
