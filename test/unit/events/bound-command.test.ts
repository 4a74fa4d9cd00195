import { parseCommand } from "../../../src/commands/parse-command.js";
import { parsePatch } from "../../../src/diff/parse-patch.js";
import { boundCommand, boundDiffHunk, COMMAND_TEXT_LIMITS } from "../../../src/events/bound-command.js";

describe("what a queued command keeps of a comment", () => {
  it("cuts the request, the question and the unknown word to their limits", () => {
    const long = "x".repeat(60_000);
    const ask = boundCommand(parseCommand(`/backend-agent ask ${long}`, "backend-agent")!);
    expect(ask).toMatchObject({ name: "ask" });
    expect(ask.request.length).toBe(COMMAND_TEXT_LIMITS.request);
    expect(ask.name === "ask" && ask.question.length).toBe(COMMAND_TEXT_LIMITS.question);
    const unknown = boundCommand(parseCommand(`/backend-agent ${long}`, "backend-agent")!);
    expect(unknown.name === "unknown" && unknown.word.length).toBe(COMMAND_TEXT_LIMITS.word);
    expect(unknown.request.length).toBe(COMMAND_TEXT_LIMITS.request);
  });

  it("keeps a short command as it is", () => {
    const command = parseCommand("/backend-agent ask why?\nBecause.", "backend-agent")!;
    expect(boundCommand(command)).toEqual(command);
  });

  it("keeps the end of a long hunk, with the kept lines' numbers", () => {
    const body = Array.from({ length: 2_000 }, (_, i) => (i % 3 === 0 ? `+added ${i}` : i % 3 === 1 ? `-removed ${i}` : ` context ${i}`));
    const hunk = ["@@ -10,1334 +20,1334 @@ def view(request):", ...body].join("\n");
    const full = parsePatch(`--- a/f.py\n+++ b/f.py\n${hunk}`)[0]!.lines;

    const cut = boundDiffHunk(hunk);
    expect(cut.length).toBeLessThanOrEqual(COMMAND_TEXT_LIMITS.diffHunk);
    expect(cut.endsWith(body.at(-1)!)).toBe(true);
    const kept = parsePatch(`--- a/f.py\n+++ b/f.py\n${cut}`)[0]!.lines;
    expect(kept.length).toBeGreaterThan(100);
    expect(kept).toEqual(full.slice(-kept.length));
  });

  it("drops a hunk it cannot cut safely", () => {
    expect(boundDiffHunk(`no header\n${"+a\n".repeat(5_000)}`)).toBe("");
    expect(boundDiffHunk(`@@ -1,1 +1,1 @@\n+${"a".repeat(10_000)}`)).toBe("");
    expect(boundDiffHunk("@@ -1,1 +1,1 @@\n+a")).toBe("@@ -1,1 +1,1 @@\n+a");
  });
});
