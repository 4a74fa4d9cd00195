import { join } from "node:path";
import { makeRepo, runCli, writeFiles, type TempRepo } from "./cli-harness.js";

let repo: TempRepo;
beforeAll(() => {
  // The committed settings are valid; the working tree's copy (what a user is editing) is not.
  repo = makeRepo({ ".github/backend-agent.yml": "failOn: medium\n" }, { "backend/app.py": "x = 1\n" });
  writeFiles(repo.dir, {
    ".github/backend-agent.yml": "failon: high\nmaxComments: 500\nrules:\n  nope/rule: off\n",
    "good.yml": "failOn: medium\npaths: [\"api/**\"]\n",
    "broken.yml": "paths: [api/**\n",
    "inherits.yml": "_extends: my-org/.github\nlabels: false\n",
  });
});
afterAll(() => repo.cleanup());

describe("backend-agent config validate", () => {
  it("lists each problem of the working tree's .github/backend-agent.yml on one line with its key, from any directory of the repository: exit 1", async () => {
    const run = await runCli(join(repo.dir, "backend"), ["config", "validate"]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n").sort()).toEqual([
      "../.github/backend-agent.yml: failon: unknown setting",
      "../.github/backend-agent.yml: maxComments: Too big: expected number to be <=100",
      "../.github/backend-agent.yml: rules.nope/rule: is not a rule id or family (see the README's rule list)",
    ]);
    expect(run.stderr).toBe("");
  });

  it("accepts a valid file (exit 0) and says what it sets; notes an _extends it cannot follow", async () => {
    const [good, inherits] = await Promise.all([runCli(repo.dir, ["config", "validate", "good.yml"]), runCli(repo.dir, ["config", "validate", "inherits.yml"])]);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe("ok: good.yml (sets paths, failOn)\n");
    expect(inherits.code).toBe(0);
    expect(inherits.stdout).toBe("ok: inherits.yml (sets labels)\ninherits.yml: note: _extends is followed by the App only; the inherited settings were not checked\n");
  });

  it("names the line and column of a YAML syntax error: exit 1", async () => {
    const run = await runCli(repo.dir, ["config", "validate", "broken.yml"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^broken\.yml:\d+:\d+: not valid YAML: .*\]\n$/);
  });

  it("exits 2 with one line when the file cannot be read or the command line is wrong", async () => {
    const [missing, two, unknown] = await Promise.all([
      runCli(repo.dir, ["config", "validate", "nope.yml"]),
      runCli(repo.dir, ["config", "validate", "a.yml", "b.yml"]),
      runCli(repo.dir, ["config", "check"]),
    ]);
    for (const run of [missing, two, unknown]) {
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(missing.stderr).toBe("backend-agent: error: cannot read nope.yml: ENOENT\n");
    expect(unknown.stderr).toContain('unknown command "config check" (did you mean "config validate"?)');
  });
});
