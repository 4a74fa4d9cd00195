import { parsePatch, toFileDiff } from "../../../src/diff/parse-patch.js";
import type { FileDiff } from "../../../src/diff/types.js";
import { findCalls, isConstantString, isDynamicString, positional } from "../../../src/rules/python-expr.js";
import { fileCodeLines, type CodeLine } from "../../../src/rules/python-source.js";
import { ReviewTrees } from "../../../src/rules/python-tree.js";

const trees = new ReviewTrees();
afterAll(() => trees.dispose());

/** The code lines of a file whose new side is `lines`, all added. */
function codeLines(lines: string[]): CodeLine[] {
  const file: FileDiff = toFileDiff({ path: "a.py", status: "added", additions: lines.length, deletions: 0, patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}` });
  return fileCodeLines(file, trees).flat();
}
const maskOne = (raw: string): CodeLine => codeLines([raw])[0] as CodeLine;

describe("masking from the syntax tree", () => {
  it("blanks string contents and comments but keeps offsets", () => {
    const raw = `x = eval("eval(1)")  # eval(2)`;
    const { code } = maskOne(raw);
    expect(code).toHaveLength(raw.length);
    expect(code).toBe(`x = eval("       ")`.padEnd(raw.length, " "));
  });

  it("keeps offsets after characters outside the BMP", () => {
    const raw = `label = "🚀 launch"; eval(x)`;
    const { code } = maskOne(raw);
    expect(code).toHaveLength(raw.length);
    expect(code.indexOf("eval(")).toBe(raw.indexOf("eval("));
  });

  it("knows an f-string placeholder from an escaped brace", () => {
    expect(maskOne(`x = f"{name}"`).literals[0]?.interpolates).toBe(true);
    expect(maskOne(`x = f"{{literal}}"`).literals[0]?.interpolates).toBe(false);
    expect(maskOne(`x = "{name}"`).literals[0]?.interpolates).toBe(false);
  });

  it("carries a triple-quoted string across lines", () => {
    const [first, second] = codeLines([`doc = """starts here eval(`, `still eval( inside""" ; eval(x)`]);
    expect(first?.openAtEnd).toBe(true);
    expect(second?.openAtEnd).toBe(false);
    expect(second?.code).toMatch(/^\s+""" ; eval\(x\)$/);
  });
});

describe("calls and expressions", () => {
  const patch = (
    [
      "@@ -0,0 +1,6 @@",
      "+cursor.execute(",
      '+    "SELECT %s, (1)"',
      "+    % value,",
      "+)",
      '+cursor.execute("SELECT %s", [value])',
      '+cursor.execute("a" "b")',
    ].join("\n")
  );
  const hunk = parsePatch(patch)[0];
  const lines = hunk ? fileCodeLines({ path: "a.py", status: "added", hunks: [hunk] }, trees).flat() : [];
  const calls = findCalls(lines, /\.execute\s*\(/g);

  it("reads a call's arguments across lines, ignoring brackets and commas in strings", () => {
    expect(calls.map((c) => [c.line.line, c.args.length])).toEqual([
      [1, 1],
      [5, 2],
      [6, 1],
    ]);
  });

  it("tells formatted SQL from constant SQL", () => {
    const firsts = calls.map((c) => positional(c)[0]);
    expect(firsts.map((e) => (e ? isDynamicString(e) : undefined))).toEqual([true, false, false]);
    expect(firsts.map((e) => (e ? isConstantString(e) : undefined))).toEqual([false, true, true]);
  });
});
