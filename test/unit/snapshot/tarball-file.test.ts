/**
 * The hand-off of a commit's tarball between threads: one side only streams GitHub's
 * bytes into a file under the cache's folder (bounded; removed on failure), the other
 * extracts that file into the snapshot cache and deletes it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { githubSource, type CommitRef } from "../../../src/snapshot/github-source.js";
import { SnapshotCache } from "../../../src/snapshot/snapshot-cache.js";
import { downloadTarball, readTarballFile } from "../../../src/snapshot/tarball-file.js";
import { FakeTarballServer } from "../../support/fake-tarball.js";

const ref: CommitRef = { owner: "o", repo: "r", sha: "b".repeat(40) };
let fake: FakeTarballServer;
let dir: string;

beforeAll(async () => {
  fake = await FakeTarballServer.start();
  fake.add({ ...ref, entries: [{ path: "backend/orgs/permissions.py", content: "class IsOrgAdmin(BasePermission):\n    pass\n" }, { path: "backend/data.txt", content: "y".repeat(200_000) }] });
});
afterAll(() => fake.stop());
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tarball-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const source = () => githubSource(new Octokit({ baseUrl: fake.url, auth: "x" }), ref);

describe("a tarball handed from the downloading thread to the extracting one", () => {
  it("is only bytes on the way in (a private file), and is extracted from the file, which is then gone", async () => {
    const cache = new SnapshotCache({ dir });
    const file = await downloadTarball(source(), cache.downloadDir);
    expect(file.path.startsWith(cache.downloadDir)).toBe(true);
    expect(statSync(file.path).size).toBe(file.bytes);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    // Still gzip: nothing was unpacked on the downloading side.
    expect(readdirSync(cache.downloadDir)).toEqual([file.path.slice(cache.downloadDir.length + 1)]);

    const snap = await cache.open(ref, { tarball: async () => readTarballFile(file.path), tree: () => source().tree() });
    expect(await snap.readFile("backend/orgs/permissions.py")).toMatchObject({ isError: false, text: expect.stringContaining("class IsOrgAdmin") });
    expect(existsSync(file.path)).toBe(false);
  });

  it("stops a download over its cap and leaves no file behind", async () => {
    const cache = new SnapshotCache({ dir });
    await expect(downloadTarball(source(), cache.downloadDir, 100)).rejects.toThrow("over the 100-byte download cap");
    expect(readdirSync(cache.downloadDir)).toEqual([]);
  });

  it("deletes the file when the extraction stops early (the snapshot's cap reached)", async () => {
    const cache = new SnapshotCache({ dir, limits: { maxFileBytes: 1_000_000, maxTotalBytes: 1_000 } });
    const file = await downloadTarball(source(), cache.downloadDir);
    const snap = await cache.open(ref, { tarball: async () => readTarballFile(file.path), tree: () => source().tree() });
    expect(snap).toBeDefined();
    expect(existsSync(file.path)).toBe(false);
  });
});
