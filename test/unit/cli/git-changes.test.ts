import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { changedFiles } from "../../../src/cli/git-changes.js";
import type { ChangedFile } from "../../../src/diff/types.js";
import { buildPullRequest, type GitHubFile } from "../../support/git-fixture.js";

/** The listing GitHub gives, in the pipeline's shape: what the CLI must produce from the same commits. */
const asChangedFile = (f: GitHubFile): ChangedFile => ({
  path: f.filename,
  previousPath: f.previous_filename,
  status: f.status,
  additions: f.additions,
  deletions: f.deletions,
  patch: f.patch,
  sha: f.sha,
});

const body = Array.from({ length: 12 }, (_, i) => `line ${i + 1}\n`).join("");

describe("changedFiles: a local git diff as GitHub lists a pull request's files", () => {
  const fixture = buildPullRequest({
    base: {
      "backend/app/views.py": "import os\n\ndef view(request):\n    return 1\n",
      "backend/old.py": "a = 1\nb = 2\n",
      "backend/moved.py": body,
      "backend/edited-move.py": body,
      "backend/logo.png": Buffer.from([0, 1, 2, 0, 3]),
      "backend/run.sh": "echo hi\n",
      "backend/tail.py": "x = 1",
    },
    head: {
      "backend/app/views.py": "import os\n\ndef view(request):\n    return os.system(request.GET['c'])\n",
      "backend/old.py": null,
      "backend/new file ü.py": "print('héllo')\n",
      "backend/renamed-edited.py": body.replace("line 6\n", "line six\n"),
      "backend/logo.png": Buffer.from([0, 9, 9, 0, 3]),
      "backend/tail.py": "x = 2",
    },
    renames: [
      ["backend/moved.py", "backend/renamed.py"],
      ["backend/edited-move.py", "backend/renamed-edited.py"],
    ],
    executable: ["backend/run.sh"],
  });
  afterAll(() => fixture.cleanup());

  it("matches the GitHub listing of the same two commits: add, modify, delete, renames, binary, mode-only, unicode, no newline", async () => {
    const local = await changedFiles(fixture.dir, { base: fixture.baseSha, head: fixture.headSha });
    const byPath = (a: ChangedFile, b: ChangedFile) => a.path.localeCompare(b.path);
    expect(local.sort(byPath)).toEqual(fixture.files.map(asChangedFile).sort(byPath));
    expect(local.map((f) => f.status).sort()).toEqual(["added", "modified", "modified", "modified", "modified", "removed", "renamed", "renamed"]);
  });

  it("reads the working tree, untracked files included, through a copy of the index", async () => {
    writeFileSync(join(fixture.dir, "backend/untracked.py"), "y = 1\n");
    const local = await changedFiles(fixture.dir, { base: fixture.headSha });
    expect(local).toEqual([{ path: "backend/untracked.py", status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+y = 1", sha: expect.stringMatching(/^[0-9a-f]{40}$/) }]);
  });

  it("lists only the reviewed paths, and a configured path that matches nothing is no error", async () => {
    // Outside `paths`, what git would otherwise read (and could fail on: an unreadable file, a broken nested checkout).
    mkdirSync(join(fixture.dir, "frontend"), { recursive: true });
    writeFileSync(join(fixture.dir, "frontend/.git"), "gitdir: /nonexistent\n");
    writeFileSync(join(fixture.dir, "frontend/app.js"), "x\n");
    const local = await changedFiles(fixture.dir, { base: fixture.headSha }, ["backend/**", "services/**"]);
    expect(local.map((f) => f.path)).toEqual(["backend/untracked.py"]);
    const range = await changedFiles(fixture.dir, { base: fixture.baseSha, head: fixture.headSha }, ["backend/app/**"]);
    expect(range.map((f) => f.path)).toEqual(["backend/app/views.py"]);
  });
});
