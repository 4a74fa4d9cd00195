/**
 * Every rule fixture (real `git diff` output, see test/fixtures/diffs/make-fixtures.mjs)
 * run through the whole rule layer. `tp-` cases must produce exactly the listed
 * findings, `fp-` cases nothing; `gap-` cases pin today's known miss or false alarm so that fixing it
 * fails here and the case gets promoted. Precision/recall over all cases (gaps scored
 * against what they SHOULD find) is printed for the report.
 */
import { commentableLines, hunkOf } from "../../../src/diff/commentable-lines.js";
import type { FileDiff } from "../../../src/diff/types.js";
import { RULES, runRules } from "../../../src/rules/index.js";
import type { Finding } from "../../../src/domain/findings.js";
import { CASES, filesOf, type Expected } from "./load-fixture.js";

const key = (e: Expected): string => `${e.rule} ${e.path}:${e.side}${e.line}`;
const keyOf = (f: Finding): string => `${f.source.slice("rule:".length)} ${f.path}:${f.side}${f.line}`;

const results = new Map<string, { family: string; expected: Set<string>; found: Set<string>; findings: Finding[]; files: FileDiff[] }>();
for (const c of CASES) {
  const files = filesOf(c);
  const findings = runRules(files);
  results.set(`${c.family}/${c.name}`, {
    family: c.family,
    expected: new Set(c.expect.map(key)),
    found: new Set(findings.map(keyOf)),
    findings,
    files,
  });
}

describe("rule fixtures", () => {
  it("covers every rule with at least one true positive", () => {
    const fired = new Set(CASES.filter((c) => c.kind === "tp").flatMap((c) => c.expect.map((e) => e.rule)));
    expect(RULES.map((r) => r.id).filter((id) => !fired.has(id))).toEqual([]);
  });

  it.each(CASES.map((c) => [`${c.family}/${c.name}`, c] as const))("%s", (id, c) => {
    const r = results.get(id);
    const want = c.kind === "gap" ? (c.actual ?? []) : c.expect;
    expect([...(r?.found ?? [])].sort()).toEqual(want.map(key).sort());
    if (c.kind === "gap") expect([...(r?.found ?? [])].sort()).not.toEqual(c.expect.map(key).sort());
  });

  it("places every finding on a line GitHub accepts, in one hunk", () => {
    for (const [id, r] of results) {
      for (const f of r.findings) {
        const file = r.files.find((x) => x.path === f.path);
        expect(file).toBeDefined();
        const lines = commentableLines(file as FileDiff);
        const hunk = hunkOf(lines, f.side, f.line);
        expect({ id, line: f.line, hunk }).toEqual({ id, line: f.line, hunk: expect.any(Number) });
        if (f.startLine !== undefined) expect(hunkOf(lines, f.side, f.startLine)).toBe(hunk);
      }
    }
  });

  it("writes findings people can act on", () => {
    for (const r of results.values()) {
      for (const f of r.findings) {
        expect(f.title.length).toBeLessThanOrEqual(80);
        expect(f.body).toMatch(/_Rule `[a-z-]+\/[a-z-]+`\._$/);
        expect(f.confidence).toBe(1);
      }
    }
  });

  afterAll(() => {
    const rows: string[] = [];
    const total = { tp: 0, fp: 0, fn: 0 };
    const families = [...new Set(CASES.map((c) => c.family))];
    for (const family of [...families, "ALL"]) {
      const s = { tp: 0, fp: 0, fn: 0, cases: 0 };
      for (const r of results.values()) {
        if (family !== "ALL" && r.family !== family) continue;
        s.cases++;
        for (const k of r.found) s[r.expected.has(k) ? "tp" : "fp"]++;
        for (const k of r.expected) if (!r.found.has(k)) s.fn++;
      }
      if (family === "ALL") Object.assign(total, s);
      const p = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
      const rc = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
      rows.push(`${family.padEnd(15)} cases ${String(s.cases).padStart(3)}  tp ${String(s.tp).padStart(3)}  fp ${String(s.fp).padStart(2)}  fn ${String(s.fn).padStart(2)}  precision ${p.toFixed(3)}  recall ${rc.toFixed(3)}`);
    }
    console.log(`Rule fixtures (${CASES.length} cases, gap cases scored against what they should find):\n${rows.join("\n")}`);
  });
});
