import { compileGlob } from "../../../src/snapshot/glob-pattern.js";
import { compileLinear, PatternError } from "../../../src/snapshot/linear-regex.js";

const LINES = ["class OrgPermission(BasePermission):", "def get_queryset(self):", "x = 1", "", "permission_classes = [IsAuthenticated]", "aaa", "tenant_id=42"];

describe("linear regex", () => {
  it.each([
    ["Permission"], ["^def \\w+\\("], ["\\bx\\b"], ["permission_classes\\s*=\\s*\\["], ["(get|set)_queryset"], ["a{2,3}"], ["^$"],
    ["tenant_id=\\d+$"], ["[A-Z][a-z]+Permission"], ["[^a-z ]"], ["colou?r"], ["x(?: = )1"], ["\\B"], ["a+?"],
  ])("agrees with RegExp on %s", (pattern) => {
    const mine = compileLinear(pattern);
    const js = new RegExp(pattern);
    for (const line of LINES) expect([pattern, line, mine.test(line)]).toEqual([pattern, line, js.test(line)]);
  });

  it("folds case when asked", () => {
    expect(compileLinear("basepermission", { ignoreCase: true }).test(LINES[0] as string)).toBe(true);
    expect(compileLinear("basepermission").test(LINES[0] as string)).toBe(false);
  });

  it("refuses what it cannot run in linear time, with a reason", () => {
    expect(() => compileLinear("(a)\\1")).toThrow(/back-references/);
    expect(() => compileLinear("(?=a)")).toThrow(/look-around/);
    expect(() => compileLinear("a{1000}")).toThrow(PatternError);
    expect(() => compileLinear("(((a{100}){100}){100})")).toThrow(/too large/);
    expect(() => compileLinear("[a-")).toThrow(/unclosed \[/);
    expect(() => compileLinear("*a")).toThrow(/nothing to repeat/);
  });

  it("runs hostile patterns on a 50,000-character line in linear time", () => {
    const line = `${"a".repeat(50_000)}!`;
    for (const pattern of ["(a+)+$", "(a|aa)*b", "(.*a){20}$", "(\\w+\\s?)*x", "^(a?){30}a{30}$"]) {
      const started = performance.now();
      expect(compileLinear(pattern).test(line)).toBe(false);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
});

describe("globs", () => {
  it("reads `**/`, `*`, `?`, classes and braces as Claude Code's Glob does", () => {
    const glob = compileGlob("backend/**/{views,serializers}.py");
    expect(glob.matches("backend/views.py")).toBe(true);
    expect(glob.matches("backend/orgs/api/serializers.py")).toBe(true);
    expect(glob.matches("backend/orgs/models.py")).toBe(false);
    expect(compileGlob("*.py").matches("backend/x.py")).toBe(false);
    expect(compileGlob("*.py", { basename: true }).matches("backend/x.py")).toBe(true);
    expect(compileGlob("backend/?.py").matches("backend/x.py")).toBe(true);
    expect(compileGlob("migrations/000[1-3]*.py").matches("migrations/0002_x.py")).toBe(true);
    expect(compileGlob("a.(py)").matches("a.(py)")).toBe(true);
  });

  it("matches a many-star glob against a long path quickly", () => {
    const started = performance.now();
    expect(compileGlob("*a*a*a*a*a*a*a*a*a*a*b").matches("a".repeat(5_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
