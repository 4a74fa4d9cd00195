import parseDiff from "parse-diff";
import { existsSync } from "node:fs";
import { buildPullRequest, diffFixture } from "../support/git-fixture.js";
import type { GitHubFile } from "../support/git-fixture.js";

function only(files: GitHubFile[], filename: string): GitHubFile {
  const file = files.find((f) => f.filename === filename);
  if (!file) throw new Error(`${filename} not in ${files.map((f) => f.filename).join(", ")}`);
  return file;
}

const SHA = /^[0-9a-f]{40}$/;

describe("git-fixture: pull-request files from real git diff", () => {
  it("modify: hunks only, starting at @@, counts from numstat, parseable by parse-diff", () => {
    const files = diffFixture({
      base: { "backend/app/views.py": "import os\n\ndef view(request):\n    return 1\n" },
      head: { "backend/app/views.py": "import os\n\ndef view(request):\n    return os.system(request.GET['c'])\n" },
    });
    expect(files).toHaveLength(1);
    const file = only(files, "backend/app/views.py");
    expect(file.status).toBe("modified");
    expect(file.sha).toMatch(SHA);
    expect([file.additions, file.deletions, file.changes]).toEqual([1, 1, 2]);
    expect(file.patch).toBeDefined();
    const patch = file.patch ?? "";
    expect(patch.startsWith("@@ -1,4 +1,4 @@")).toBe(true);
    expect(patch).not.toMatch(/^(diff --git|index |--- |\+\+\+ )/m);
    expect(patch.endsWith("\n")).toBe(false);

    const parsed = parseDiff(patch);
    expect(parsed).toHaveLength(1);
    const changes = parsed[0]?.chunks[0]?.changes ?? [];
    const added = changes.filter((c) => c.type === "add");
    expect(added).toEqual([expect.objectContaining({ ln: 4, content: "+    return os.system(request.GET['c'])" })]);
    const deleted = changes.filter((c) => c.type === "del");
    expect(deleted).toEqual([expect.objectContaining({ ln: 4, content: "-    return 1" })]);
  });

  it("add and delete: statuses, counts, patch of the whole file", () => {
    const files = diffFixture({
      base: { "keep.py": "x = 1\n", "old.py": "a = 1\nb = 2\n" },
      head: { "new.py": "print('hi')\nprint('there')\n", "old.py": null },
    });
    expect(files.map((f) => [f.filename, f.status])).toEqual([
      ["new.py", "added"],
      ["old.py", "removed"],
    ]);
    const added = only(files, "new.py");
    expect([added.additions, added.deletions]).toEqual([2, 0]);
    expect(added.patch).toBe("@@ -0,0 +1,2 @@\n+print('hi')\n+print('there')");
    const removed = only(files, "old.py");
    expect([removed.additions, removed.deletions]).toEqual([0, 2]);
    expect(removed.patch).toBe("@@ -1,2 +0,0 @@\n-a = 1\n-b = 2");
    expect(removed.sha).toMatch(SHA);
  });

  it("rename without content change: status renamed, previous_filename, no patch, 0/0", () => {
    const body = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join("");
    const files = diffFixture({ base: { "backend/a.py": body }, head: {}, renames: [["backend/a.py", "backend/b.py"]] });
    expect(files).toEqual([
      expect.objectContaining({
        filename: "backend/b.py",
        previous_filename: "backend/a.py",
        status: "renamed",
        additions: 0,
        deletions: 0,
        changes: 0,
      }),
    ]);
    expect(files[0]?.patch).toBeUndefined();
    expect(files[0]?.sha).toMatch(SHA);
    expect(parseDiff(files[0]?.patch)).toEqual([]);
  });

  it("rename with an edit: status renamed with a patch of the edit only", () => {
    const body = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join("");
    const files = diffFixture({
      base: { "backend/a.py": body },
      head: { "backend/moved/b.py": body.replace("line 5\n", "line five\n") },
      renames: [["backend/a.py", "backend/moved/b.py"]],
    });
    expect(files).toHaveLength(1);
    const file = only(files, "backend/moved/b.py");
    expect(file.status).toBe("renamed");
    expect(file.previous_filename).toBe("backend/a.py");
    expect([file.additions, file.deletions]).toEqual([1, 1]);
    expect(file.patch).toMatch(/^@@ -3,7 \+3,7 @@/);
    expect(file.patch).toContain("\n-line 5\n+line five\n");
  });

  it("binary: no patch and 0/0 even though content changed", () => {
    const files = diffFixture({
      base: { "static/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]) },
      head: {
        "static/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x07, 0x08, 0x09]),
        "static/new.bin": Buffer.from([0x00, 0xff, 0x00, 0xfe]),
      },
    });
    expect(files.map((f) => [f.filename, f.status, f.additions, f.deletions, f.changes, f.patch])).toEqual([
      ["static/logo.png", "modified", 0, 0, 0, undefined],
      ["static/new.bin", "added", 0, 0, 0, undefined],
    ]);
  });

  it("no newline at end of file: the marker lines are kept exactly as git prints them", () => {
    const files = diffFixture({ base: { "settings.py": "DEBUG = False" }, head: { "settings.py": "DEBUG = True" } });
    expect(only(files, "settings.py").patch).toBe(
      "@@ -1 +1 @@\n-DEBUG = False\n\\ No newline at end of file\n+DEBUG = True\n\\ No newline at end of file",
    );
    expect([files[0]?.additions, files[0]?.deletions]).toEqual([1, 1]);
  });

  it("mode-only change: reported the way GitHub does (modified, sha null, no patch, 0/0)", () => {
    const files = diffFixture({ base: { "scripts/run.sh": "#!/bin/sh\necho hi\n" }, head: {}, executable: ["scripts/run.sh"] });
    expect(files).toEqual([
      { filename: "scripts/run.sh", status: "modified", sha: null, additions: 0, deletions: 0, changes: 0 },
    ]);
  });

  it("mode change plus an edit: modified with the edit's patch", () => {
    const files = diffFixture({
      base: { "scripts/run.sh": "#!/bin/sh\necho hi\n" },
      head: { "scripts/run.sh": "#!/bin/sh\necho bye\n" },
      executable: ["scripts/run.sh"],
    });
    const file = only(files, "scripts/run.sh");
    expect(file.status).toBe("modified");
    expect(file.sha).toMatch(SHA);
    expect(file.patch).toBe("@@ -1,2 +1,2 @@\n #!/bin/sh\n-echo hi\n+echo bye");
  });

  it("unicode: file names and content keep their characters", () => {
    const files = diffFixture({
      base: { "docs/café.md": "naïve\n" },
      head: { "docs/café.md": "naïve — 日本語 👋\n", "backend/ünïcode.py": "name = 'Zoë'\n" },
    });
    expect(files.map((f) => f.filename)).toEqual(["backend/ünïcode.py", "docs/café.md"]);
    expect(only(files, "docs/café.md").patch).toBe("@@ -1 +1 @@\n-naïve\n+naïve — 日本語 👋");
    expect(only(files, "backend/ünïcode.py").patch).toBe("@@ -0,0 +1 @@\n+name = 'Zoë'");
  });

  it("buildPullRequest: deterministic SHAs, full diff text, urls when a repo is named, cleanup removes the repo", () => {
    const spec = { base: { "a.txt": "1\n" }, head: { "a.txt": "2\n" }, repo: "octo/shop" };
    const first = buildPullRequest(spec);
    const second = buildPullRequest(spec);
    try {
      expect(first.baseSha).toMatch(SHA);
      expect(first.headSha).not.toBe(first.baseSha);
      expect([second.baseSha, second.headSha]).toEqual([first.baseSha, first.headSha]);
      expect(first.diff).toContain("diff --git a/a.txt b/a.txt\nindex ");
      expect(first.diff).toContain("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-1\n+2\n");
      expect(first.files[0]?.blob_url).toBe(`https://github.com/octo/shop/blob/${first.headSha}/a.txt`);
    } finally {
      first.cleanup();
      second.cleanup();
    }
    expect(existsSync(first.dir)).toBe(false);
  });

  it("refuses paths that would escape the temp repository", () => {
    expect(() => diffFixture({ base: {}, head: { "../evil.py": "x\n" } })).toThrow(/inside the repository/);
  });
});
