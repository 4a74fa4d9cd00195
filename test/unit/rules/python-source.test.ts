import { parsePatch } from "../../../src/diff/parse-patch.js";
import { findCalls, isConstantString, isDynamicString, positional } from "../../../src/rules/python-expr.js";
import { hunkCodeLines, maskLine } from "../../../src/rules/python-source.js";

describe("maskLine", () => {
  it("blanks string contents and comments but keeps offsets", () => {
    const raw = `x = eval("eval(1)")  # eval(2)`;
    const { code } = maskLine(raw, null);
    expect(code).toHaveLength(raw.length);
    expect(code).toBe(`x = eval("       ")         `.padEnd(raw.length, " "));
  });

  it("keeps offsets after characters outside the BMP", () => {
    const raw = `label = "🚀 launch"; eval(x)`;
    const { code } = maskLine(raw, null);
    expect(code).toHaveLength(raw.length);
    expect(code.indexOf("eval(")).toBe(raw.indexOf("eval("));
  });

  it("knows an f-string placeholder from an escaped brace", () => {
    expect(maskLine(`f"{name}"`, null).literals[0]?.interpolates).toBe(true);
    expect(maskLine(`f"{{literal}}"`, null).literals[0]?.interpolates).toBe(false);
    expect(maskLine(`"{name}"`, null).literals[0]?.interpolates).toBe(false);
  });

  it("carries a triple-quoted string across lines", () => {
    const first = maskLine(`doc = """starts here eval(`, null);
    expect(first.open).not.toBeNull();
    const second = maskLine(`still eval( inside""" ; eval(x)`, first.open);
    expect(second.open).toBeNull();
    expect(second.code).toMatch(/^\s+""" ; eval\(x\)$/);
  });
});

describe("calls and expressions", () => {
  const hunk = parsePatch(
    [
      "@@ -0,0 +1,6 @@",
      "+cursor.execute(",
      '+    "SELECT %s, (1)"',
      "+    % value,",
      "+)",
      '+cursor.execute("SELECT %s", [value])',
      '+cursor.execute("a" "b")',
    ].join("\n"),
  )[0];
  const lines = hunk ? hunkCodeLines(hunk) : [];
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
