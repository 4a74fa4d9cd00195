import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "../../../src/cli/git.js";
import { workingTreeSnapshot } from "../../../src/snapshot/working-tree.js";

const AWS_ID = ["AKIA", "Q3EGRU7K5ZW4XH2M"].join("");
let root: string;
let outside: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "wt-"));
  outside = mkdtempSync(join(tmpdir(), "outside-"));
  writeFileSync(join(outside, "secret.txt"), "outside the repository\n");
  mkdirSync(join(root, "backend"));
  writeFileSync(join(root, "backend", "views.py"), `KEY_ID = "${AWS_ID}"\nclass V: pass\n`);
  writeFileSync(join(root, "backend", "new_untracked.py"), "def helper():\n    return 1\n");
  writeFileSync(join(root, ".gitignore"), ".env\n");
  writeFileSync(join(root, ".env"), "SECRET=1\n");
  symlinkSync(join(outside, "secret.txt"), join(root, "backend", "link_out"));
  symlinkSync("views.py", join(root, "backend", "link_in"));
  await git(root, ["init", "-q"]);
  await git(root, ["add", "backend/views.py", ".gitignore", "backend/link_out", "backend/link_in"]);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("the CLI's working-tree snapshot", () => {
  it("lists tracked and untracked files, never ignored ones or git's metadata", async () => {
    const snap = await workingTreeSnapshot(root);
    expect((await snap.glob("**")).text.split("\n")).toEqual([".gitignore", "backend/link_in", "backend/link_out", "backend/new_untracked.py", "backend/views.py"]);
    expect((await snap.readFile(".env")).text).toBe(".env does not exist in working tree");
    expect((await snap.readFile(".git/HEAD")).isError).toBe(true);
  });

  it("reads redacted text, follows links inside the root and refuses links out", async () => {
    const snap = await workingTreeSnapshot(root);
    expect((await snap.readFile("backend/views.py")).text).not.toContain(AWS_ID);
    expect((await snap.grep("AKIA")).text).toBe("No matches.");
    expect((await snap.readFile("backend/link_in", 2)).text).toBe("     2\tclass V: pass");
    expect(await snap.readFile("backend/link_out")).toEqual({ isError: true, text: "backend/link_out is a link that leads outside the repository" });
    expect((await snap.grep("outside")).text).toBe("No matches.");
  });
});
