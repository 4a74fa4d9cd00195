import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { githubSource, type CommitRef } from "../../../src/snapshot/github-source.js";
import { SnapshotCache } from "../../../src/snapshot/snapshot-cache.js";
import { FakeTarballServer, type TarEntry } from "../../support/fake-tarball.js";

const j = (...parts: string[]) => parts.join("");
const GH_TOKEN = j("ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
const SHA = "a".repeat(40);
const ENTRIES: TarEntry[] = [
  { path: "backend/orgs/permissions.py", content: "class IsOrgAdmin(BasePermission):\n    def has_permission(self, request, view):\n        return request.user.is_org_admin\n" },
  { path: "backend/orgs/views.py", content: "from .permissions import IsOrgAdmin\n\nclass OrgView(APIView):\n    permission_classes = [IsOrgAdmin]\n" },
  { path: "backend/settings/base.py", content: `DEBUG = False\nGITHUB_TOKEN = "${GH_TOKEN}"\n` },
  { path: "backend/static/logo.png", content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]) },
  { path: "backend/big.json", content: "x".repeat(5_000) },
  { path: ".git/config", content: "[remote]\nurl = https://x:token@github.com/o/r\n" },
  { path: "backend/link_out", type: "SymbolicLink", linkpath: "/etc/passwd" },
  { path: "o-r-aaaaaaa/../../escape.txt", content: "escaped", raw: true },
  { path: "backend/fifo", type: "FIFO" },
];

let fake: FakeTarballServer;
let dir: string;
const ref: CommitRef = { owner: "o", repo: "r", sha: SHA };


beforeAll(async () => {
  fake = await FakeTarballServer.start();
  fake.add({ ...ref, entries: ENTRIES });
});
afterAll(() => fake.stop());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "snap-"));
  fake.calls = { tarball: 0, codeload: 0, tree: 0 };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const source = () => githubSource(new Octokit({ baseUrl: fake.url, auth: "x" }), ref);
const cache = (extra: Partial<ConstructorParameters<typeof SnapshotCache>[0]> = {}) =>
  new SnapshotCache({ dir, limits: { maxFileBytes: 4_000, maxTotalBytes: 1_000_000 }, ...extra });

describe("a commit's snapshot", () => {
  it("follows GitHub's redirect, reads the head's files with line numbers and greps them", async () => {

    const snap = await cache().open(ref, source());
    expect(fake.calls).toEqual({ tarball: 1, codeload: 1, tree: 0 });
    const read = await snap.readFile("backend/orgs/permissions.py", 2, 1);
    expect(read).toEqual({ isError: false, text: "     2\t    def has_permission(self, request, view):\n[lines 2-2 of 3; read on with offset=3]" });
    const grep = await snap.grep("IsOrg\\w+", { glob: "*.py" });
    expect(grep.text.split("\n")).toEqual([
      "backend/orgs/permissions.py:1:class IsOrgAdmin(BasePermission):",
      "backend/orgs/views.py:1:from .permissions import IsOrgAdmin",
      "backend/orgs/views.py:4:    permission_classes = [IsOrgAdmin]",
    ]);
    expect((await snap.glob("backend/**/*.py")).text.split("\n")).toEqual(["backend/orgs/permissions.py", "backend/orgs/views.py", "backend/settings/base.py"]);
  });

  it.each([false, true])("redacts secrets in reads, and grep cannot find their characters (redacted on write: %s)", async (redactOnWrite) => {
    const snap = await cache({ limits: { maxFileBytes: 4_000, maxTotalBytes: 1_000_000, redactOnWrite } }).open(ref, source());
    const read = await snap.readFile("backend/settings/base.py");
    expect(read.text).toContain("GITHUB_TOKEN = \"<redacted:");
    expect(read.text).not.toContain(GH_TOKEN);
    expect((await snap.grep("ghp_a1B2")).text).toBe("No matches.");
    expect((await snap.grep("GITHUB_TOKEN")).text).toBe('backend/settings/base.py:2:GITHUB_TOKEN = "<redacted:github-token>"');
    // Redacted on write: not even the cache on disk holds the secret.
    const written = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(written.map((e) => e.name).sort()).toEqual(["files.pack", "manifest.json"]);
    const onDisk = written.some((file) => readFileSync(join(file.parentPath, file.name), "utf8").includes(GH_TOKEN));
    expect(onDisk).toBe(!redactOnWrite);
  });

  it("refuses paths out of the repository, git metadata, links, binaries and oversized files", async () => {
    const snap = await cache().open(ref, source());
    const refusals = await Promise.all([
      snap.readFile("../../etc/passwd"),
      snap.readFile("/etc/passwd"),
      snap.readFile(".git/config"),
      snap.grep("token", { path: ".git" }),
      snap.readFile("backend/link_out"),
      snap.readFile("backend/static/logo.png"),
      snap.readFile("backend/big.json"),
      snap.readFile("backend/fifo"),
      snap.readFile("escape.txt"),
    ]);
    expect(refusals.map((r) => [r.isError, r.text])).toEqual([
      [true, "path refused: `..` is not allowed: paths stay inside the repository"],
      [true, "path refused: absolute paths are outside the repository; give a path relative to its root"],
      [true, "path refused: `.git/` is git's metadata, not the repository's code"],
      [true, "path refused: `.git/` is git's metadata, not the repository's code"],
      [true, "backend/link_out cannot be read: a link (links are not followed)"],
      [true, "backend/static/logo.png cannot be read: a binary file"],
      [true, "backend/big.json cannot be read: over the 4000-byte file cap"],
      [true, `backend/fifo does not exist in o/r@${SHA.slice(0, 12)}`],
      [true, `escape.txt does not exist in o/r@${SHA.slice(0, 12)}`],
    ]);
    expect(existsSync(join(dir, "escape.txt")) || existsSync(join(dir, "..", "escape.txt"))).toBe(false);
    expect((await snap.glob("**")).text).not.toContain(".git");
  });

  it("is fetched once per commit: across concurrent opens, later opens and a restart", async () => {
    const first = cache();
    const [a, b] = await Promise.all([first.open(ref, source()), first.open(ref, source())]);
    await first.open(ref, source());
    const restarted = cache();
    const c = await restarted.open(ref, source());
    expect(fake.calls).toEqual({ tarball: 1, codeload: 1, tree: 0 });
    for (const snap of [a, b, c]) expect((await snap.readFile("backend/orgs/views.py", 4, 1)).text).toBe("     4\t    permission_classes = [IsOrgAdmin]");
  });

  it("over the total cap, lists the rest from the tree and says the snapshot is partial", async () => {
    const snap = await cache({ limits: { maxFileBytes: 4_000, maxTotalBytes: 200 } }).open(ref, source());
    expect(fake.calls).toEqual({ tarball: 1, codeload: 1, tree: 1 });
    expect(snap.partial).toMatch(/over the 200-byte snapshot cap/);
    expect((await snap.readFile("backend/orgs/permissions.py")).isError).toBe(false);
    expect((await snap.readFile("backend/settings/base.py")).text).toBe("backend/settings/base.py cannot be read: not in the snapshot (the repository is over its size cap)");
  });

  it("evicts the least recently used commit past its size", async () => {
    const other = { ...ref, sha: "b".repeat(40) };
    fake.add({ ...other, entries: ENTRIES });
    const small = cache({ maxBytes: 400 });
    await small.open(ref, source());
    await new Promise((r) => setTimeout(r, 20));
    await small.open(other, githubSource(new Octokit({ baseUrl: fake.url, auth: "x" }), other));
    expect(readdirSync(join(dir, "o", "r"))).toEqual(["b".repeat(40)]);
  });
});
