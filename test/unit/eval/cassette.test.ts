import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dataFrame } from "../../../src/engine/data-frame.js";
import { buildUserMessage } from "../../../src/engine/prompt.js";
import { recordingCassette, replayingCassette, requestHash } from "../../../src/eval/cassette.js";

const body = (diff: string, nonce?: string) =>
  JSON.stringify({ model: "claude-sonnet-5-5", messages: [{ role: "user", content: buildUserMessage(diff, { mode: "review", minConfidence: 0.7, part: 1, parts: 1, title: "t", otherFiles: [] }, dataFrame(nonce)) }] });

describe("cassette", () => {
  it("hashes a request the same whatever its random frame suffix, and tells different diffs apart", () => {
    const a = body("+x = 1", "0123456789abcdef");
    const b = body("+x = 1", "fedcba9876543210");
    expect(a).not.toEqual(b);
    expect(requestHash("/v1/messages", a)).toBe(requestHash("/v1/messages", b));
    expect(requestHash("/v1/messages", body("+x = 2"))).not.toBe(requestHash("/v1/messages", a));
  });

  it("replays what it recorded and answers an unseen request with a 400 it lists", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cassette-"));
    try {
      const inner: typeof fetch = () => Promise.resolve(new Response('{"answer":1}', { status: 200, headers: { "content-type": "application/json" } }));
      const recorder = recordingCassette(dir, inner);
      await (await recorder.fetch("http://127.0.0.1:1/v1/messages", { method: "POST", body: body("+a") })).text();
      expect(readdirSync(dir)).toHaveLength(1);

      const player = replayingCassette(dir);
      const hit = await player.fetch("http://api.example.invalid/v1/messages", { method: "POST", body: body("+a") });
      expect(await hit.json()).toEqual({ answer: 1 });
      const miss = await player.fetch("http://api.example.invalid/v1/messages", { method: "POST", body: body("+b") });
      expect(miss.status).toBe(400);
      expect(player.misses).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("does not store an error answer (a retry must reach the API again)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cassette-"));
    try {
      const inner: typeof fetch = () => Promise.resolve(new Response("{}", { status: 529 }));
      const recorder = recordingCassette(dir, inner);
      expect((await recorder.fetch("http://127.0.0.1:1/v1/messages", { method: "POST", body: body("+a") })).status).toBe(529);
      expect(readdirSync(dir)).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
