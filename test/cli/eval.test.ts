/**
 * `backend-agent eval` end to end: the real CLI over the shipped cases, the rules
 * alone without a key, the model through the fake Anthropic API, and the committed
 * cassette replayed with no key and no network (re-record it with
 * `npx tsx test/support/record-eval-cassette.ts` when the prompt changes).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPLAY_CASES, scriptedReviewer } from "../support/eval-reviewer.js";
import { FakeAnthropic } from "../support/fake-anthropic.js";
import { runCli } from "./cli-harness.js";

const ROOT = process.cwd();
const CASSETTE = join(ROOT, "test/fixtures/eval-cassette");
const only = REPLAY_CASES.flatMap((c) => ["--case", c]);
/** The summary row of a config, without its wall time (the one figure that differs between runs). */
const row = (stdout: string, config: string) => stdout.split("\n").find((l) => l.startsWith(`${config} `))?.replace(/\s+\S+s$/, "");

let fake: FakeAnthropic;
let out: string;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
  out = mkdtempSync(join(tmpdir(), "eval-out-"));
});
afterAll(async () => {
  await fake.stop();
  rmSync(out, { recursive: true, force: true });
});
beforeEach(() => {
  fake.reset();
  fake.fallback = scriptedReviewer(join(ROOT, "eval/cases"));
});

describe("backend-agent eval", () => {
  // 48 throw-away git repositories (about 15 git processes each) beside the rest of the suite: more than jest's default 90 s.
  it("--rules-only scores the rules on every shipped case without a key", async () => {
    const run = await runCli(ROOT, ["eval", "--rules-only"]);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const cases = readdirSync(join(ROOT, "eval/cases")).length;
    expect(run.stdout).toContain(`${cases} cases`);
    expect(row(run.stdout, "rules-only")).toMatch(/^rules-only\s+off\s+0\.70\s+on\s+\d+\s+\d+\s+\d+\s+\d\.\d\d\s+\d\.\d\d/);
    expect(run.stdout).toMatch(/Cost of these \d+ cases per model \(input counted from the prompts/);
    expect(fake.requests).toHaveLength(0);
  }, 300_000);

  it("without a key or a cassette, a model run is refused with what to do", async () => {
    const run = await runCli(ROOT, ["eval", ...only]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("needs ANTHROPIC_API_KEY (or --replay <dir>); use --rules-only");
  });

  it("with a key (the fake API) scores the model's findings, judges the near miss and writes the sweep's chart", async () => {
    const run = await runCli(ROOT, ["eval", "--judge", "--threshold-sweep", "--out", out, ...only], { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: fake.url, MODEL_MAX_RETRIES: "0" });
    expect(run.code).toBe(0);
    // 4 reviews and 1 judge call on the permission case's finding (right lines, category "bug").
    expect(fake.requests).toHaveLength(5);
    expect(row(run.stdout, "default")).toMatch(/^default\s+claude-sonnet-5-5\s+0\.70\s+on\s+3\s+0\s+0\s+1\.00\s+1\.00\s+1\.00/);
    const judged = JSON.parse(readFileSync(join(out, "judge.json"), "utf8")) as Array<{ case: string; same: boolean }>;
    expect(judged).toEqual([expect.objectContaining({ case: "drf-object-permission-dropped", same: true })]);
    const html = readFileSync(join(out, "sweep.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toMatch(/<polyline[^>]+points="[\d., ]+"/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    // Below the clean case's 0.6 false positive the precision drops.
    expect(run.stdout).toMatch(/\n0\.60\s+0\.75\s+1\.00/);
    expect(run.stdout).toMatch(/\n0\.70\s+1\.00\s+1\.00/);
  });

  it("replays the committed cassette with no key and no API, to the same table", async () => {
    const live = await runCli(ROOT, ["eval", "--judge", "--out", out, ...only], { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: fake.url, MODEL_MAX_RETRIES: "0" });
    fake.reset();
    const replay = await runCli(ROOT, ["eval", "--judge", "--out", out, "--replay", CASSETTE, ...only]);
    expect(replay.stderr).not.toContain("error");
    expect(replay.code).toBe(0);
    expect(fake.requests).toHaveLength(0);
    expect(row(replay.stdout, "default")).toBe(row(live.stdout, "default"));
    expect(replay.stdout).toContain("Cost of these 4 cases per model (tokens of this run's model requests");
  });

  it("fails a replay on a request the cassette has not seen", async () => {
    const run = await runCli(ROOT, ["eval", "--replay", CASSETTE, "--case", "xss-mark-safe-customer-name"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/has no answer for 1 request\(s\) \([0-9a-f]{32}…\): record it again with --record/);
  });

  it("sets configurations side by side, and prints JSON for CI", async () => {
    const a = join(out, "strict.yml");
    const b = join(out, "no-rules.yml");
    writeFileSync(a, "name: strict\nmodel: haiku\nminConfidence: 0.95\n");
    writeFileSync(b, "rules: false\nminConfidence: 0.5\n");
    const run = await runCli(ROOT, ["eval", "--config", a, "--config", b, "--json", ...only], { ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: fake.url, MODEL_MAX_RETRIES: "0" });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { runs: Array<{ config: { name: string }; model: string; totals: { all: { tp: number; fp: number } } }>; cost: { lines: unknown[] } };
    expect(result.runs.map((r) => [r.config.name, r.model])).toEqual([["strict", "claude-haiku-5-5"], ["no-rules", "claude-sonnet-5-5"]]);
    // strict keeps no model finding under 0.95 (the scripted findings are 0.9 and 0.6), only the rules' (the
    // migration's non-concurrent index); at 0.5 without rules and without a judge, the permission finding of the
    // wrong category and the clean case's 0.6 finding are both false positives.
    expect(result.runs.map((r) => [r.totals.all.tp, r.totals.all.fp])).toEqual([[1, 0], [1, 2]]);
    expect(new Set(fake.requests.map((r) => r.body.model))).toEqual(new Set(["claude-haiku-5-5", "claude-sonnet-5-5"]));
  });

  it("names the file and key of a bad configuration", async () => {
    const bad = join(out, "bad.yml");
    writeFileSync(bad, "minConfidense: 0.5\n");
    const run = await runCli(ROOT, ["eval", "--config", bad, "--replay", CASSETTE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}: minConfidense: unknown key`);
  });
});
