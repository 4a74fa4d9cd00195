/**
 * The call-site queries of python-calls.ts: what counts as a constant or a formatted
 * string, how far a name is followed, and that crafted input stays linear (a name
 * lookup that climbed `parent` cost depth² on nested calls).
 */
import type { FileDiff } from "../../../src/diff/types.js";
import { formattedVariable, isConstantString, isDynamicString } from "../../../src/rules/python-calls.js";
import { nodesOf, parsePython, positionalArgs, type Node, type Tree } from "../../../src/rules/python-tree.js";
import { RULES, runRules } from "../../../src/rules/index.js";

const trees: Tree[] = [];
afterAll(() => trees.forEach((t) => t.delete()));

/** The first argument of the last call to `fn` in `source`. */
function lastArg(source: string, fn: string): Node | undefined {
  const tree = parsePython(source);
  if (!tree) throw new Error("no tree");
  trees.push(tree);
  const call = nodesOf(tree.rootNode, "call").filter((c) => c.childForFieldName("function")?.text === fn).pop();
  return call && positionalArgs(call)[0];
}

describe("constant and formatted strings", () => {
  it.each([
    [`run("a" "b")`, true],
    [`run(f"a")`, true],
    [`X = "a"\ndef f():\n    run(X)`, true],
    [`def f(X):\n    run(X)`, false],
    [`def f():\n    x = "a"\n    x = g()\n    run(x)`, false],
    [`for x in xs:\n    run(x)`, false],
  ])("%j constant: %s", (source, want) => {
    expect(isConstantString(lastArg(source, "run"))).toBe(want);
  });

  it.each([
    [`run(f"a {b}")`, true],
    [`run("a %s" % b)`, true],
    [`run(_("a %s") % b)`, true],
    [`run("a {}".format(b))`, true],
    [`run("a" + b + "c")`, true],
    [`run("a" + "b")`, false],
    [`A = "x"\nrun(A + "b")`, false],
    [`A = "x %s"\nrun(A % b)`, true],
    [`run(a % b)`, false],
  ])("%j formatted: %s", (source, want) => {
    expect(isDynamicString(lastArg(source, "run"))).toBe(want);
  });

  it("follows a variable to the last assignment that reaches the call", () => {
    expect(formattedVariable(lastArg(`def f(t):\n    sql = f"x {t}"\n    sql += " y"\n    run(sql)`, "run"))?.name).toBe("sql");
    expect(formattedVariable(lastArg(`def f(t):\n    sql = f"x {t}"\n    sql = "y"\n    run(sql)`, "run"))).toBeUndefined();
    expect(formattedVariable(lastArg(`def f(t):\n    run(sql)\n    sql = f"x {t}"`, "run"))).toBeUndefined();
  });
});

/** `text` added as a whole Python file. */
function added(text: string): FileDiff {
  const lines = text.split("\n").map((t, i) => ({ kind: "add" as const, newLine: i + 1, text: t }));
  return { path: "backend/app/views.py", status: "modified", hunks: [{ index: 0, header: "@@ -0,0 +1 @@", oldStart: 0, newStart: 1, lines }] };
}

/** Only the families that read calls through python-calls.ts. */
const CONFIG = Object.fromEntries(RULES.filter((r) => !["code-execution", "sql-injection", "templating"].includes(r.family)).map((r) => [r.id, "off" as const]));

function cpuMs(run: () => unknown): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1_000;
}

describe("crafted input stays fast", () => {
  const N = 3_000;
  it.each([
    ["nested calls with a name", `${"f(c.execute(a), ".repeat(N)}${")".repeat(N)}`],
    ["chained assignments", `${"x = ".repeat(4 * N)}'a'\neval(x)\nc.execute(x)`],
    ["a name assigned thousands of times", `${"sql = f'{a}'\n".repeat(N)}${"c.execute(sql)\n".repeat(N)}`],
    ["functions nested deeply", `${Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}def g():`).join("\n")}\n${" ".repeat(300)}eval(x)`],
    ["a long % chain", `c.execute(${"'%s' % ".repeat(N)}x)`],
  ])("%s", (_name, text) => {
    // Quadratic versions took over a minute here; a loaded 2-core machine stays well under this.
    expect(cpuMs(() => runRules([added(text)], CONFIG))).toBeLessThan(5_000);
  });
});
