import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCases } from "../../../src/eval/cases.js";

const SHIPPED = join(process.cwd(), "eval/cases");

describe("eval cases", () => {
  it("the starter set has 40+ cases, a third of them clean, each problem on lines of a file of the change", async () => {
    const cases = await loadCases(SHIPPED);
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((c) => c.problems.length === 0).length).toBeGreaterThanOrEqual(Math.ceil(cases.length / 3) - 1);
    for (const c of cases) {
      for (const p of c.problems) {
        const file = c.change.kind === "head" ? join(c.change.dir, p.path) : "";
        expect({ case: c.name, path: p.path, inChange: existsSync(file) }).toEqual({ case: c.name, path: p.path, inChange: true });
        expect(readFileSync(file, "utf8").split("\n").length).toBeGreaterThanOrEqual(p.lines[1]);
      }
    }
  });

  it("names the file and key of a malformed case", async () => {
    const root = mkdtempSync(join(tmpdir(), "cases-"));
    try {
      mkdirSync(join(root, "bad/base"), { recursive: true });
      mkdirSync(join(root, "bad/head"), { recursive: true });
      writeFileSync(join(root, "bad/expected.yml"), "title: x\nproblems:\n  - path: a.py\n    lines: [3, 1]\n    category: tenancy\n    severity: high\n    description: d\n");
      await expect(loadCases(root)).rejects.toThrow(/bad\/expected\.yml: problems\.0\.lines: first line after the last/);
      writeFileSync(join(root, "bad/expected.yml"), "title: x\nproblems:\n  - path: a.py\n    lines: 3\n    category: typo\n    severity: high\n    description: d\n");
      await expect(loadCases(root)).rejects.toThrow(/problems\.0\.category/);
      await expect(loadCases(root, ["nope"])).rejects.toThrow(/no such case: nope/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
