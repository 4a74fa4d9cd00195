/**
 * The review core without GitHub or git: plain data in, a result and a publication
 * plan out, with the model as a port. The model here is a stand-in for the API
 * (an object with `messages.create` answering a Message), which is the port's whole
 * contract; the real SDK against the fake API is covered in test/integration.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { parseAgent } from "../../../src/agents/load-agent.js";
import { DEFAULT_SETTINGS } from "../../../src/config/repo-config.js";
import { planPublication } from "../../../src/core/plan-publication.js";
import { reviewDiff, type ReviewInput } from "../../../src/core/review-diff.js";
import type { ReviewEvent } from "../../../src/core/review-events.js";
import type { ChangedFile } from "../../../src/diff/types.js";
import type { ModelClient } from "../../../src/engine/review-engine.js";
import { createMarkerSigner } from "../../../src/review/marker-signer.js";
import { selectFiles } from "../../../src/review/select-files.js";

const KEY_ID = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
const added = (path: string, lines: string[]): ChangedFile => ({
  path, status: "added", additions: lines.length, deletions: 0, sha: "b".repeat(40), patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`,
});
const agent = parseAgent("---\nname: backend-agent\ndescription: test\n---\nReview the diff.\n", "bundled");
const settings = DEFAULT_SETTINGS;
const input = (files: ChangedFile[]): ReviewInput => ({
  selection: selectFiles(files, settings), settings, agent, model: "claude-sonnet-4-5", mode: "review", title: "Add views",
  limits: { maxOutputTokens: 1000, chunkTokens: 20_000, concurrency: 2 },
  budget: { maxInputTokens: 1_000_000, maxChunks: 10, maxSeconds: 60, maxCostUsd: 10 },
  withoutModel: "Rules only: no model.",
});
const context = { signer: createMarkerSigner("s3cret").forPull({ owner: "o", repo: "r", pullNumber: 1 }), agentName: "backend-agent", settings };

/** A model that answers every request with `answer` as its JSON text. */
function answering(answer: unknown): ModelClient & { sent: number } {
  const model = {
    sent: 0,
    messages: {
      create: async (): Promise<Anthropic.Message> => {
        model.sent++;
        return {
          id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", stop_reason: "end_turn", stop_sequence: null, container: null,
          content: [{ type: "text", text: JSON.stringify(answer), citations: null }],
          usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        } as unknown as Anthropic.Message;
      },
    },
  };
  return model;
}

describe("reviewDiff and planPublication", () => {
  it("without a model: the rules' findings, the note saying so, and a plan that posts them, labels the PR and fails the check", async () => {
    const result = await reviewDiff(input([added("backend/app/settings.py", [`AWS_KEY = "${KEY_ID}"`])]));
    expect(result.stage).toBeUndefined();
    expect(result.conclusion).toBe("failure");
    expect(result.report.notes).toEqual(["Rules only: no model."]);
    expect(result.fresh.length).toBeGreaterThan(0);
    expect(result.report.findings.every((f) => f.finding.source.startsWith("rule:"))).toBe(true);

    const plan = planPublication(result, context);
    expect(plan.review?.comments.map((c) => c.path)).toContain("backend/app/settings.py");
    expect(plan.review?.comments[0]?.body).toContain("backend-agent:finding");
    expect(plan.label?.level).toBe(result.decision.label);
    expect(plan.check).toMatchObject({ conclusion: result.conclusion, title: expect.stringMatching(/^\d+ \w+/) });
    // A review GitHub refuses inline lists the same findings in its body, and the check says why.
    expect(plan.checkIfInlineRefused?.summary).toContain("GitHub refused the inline comments (422)");
    expect(planPublication(result, { ...context, settings: { ...settings, labels: false } }).label).toBeUndefined();
  });

  it("with a model: events in order, and a malformed finding dropped without costing the others", async () => {
    const line = 'return Invoice.objects.all()';
    const finding = { path: "backend/app/views.py", line: 1, side: "RIGHT", severity: "medium", category: "tenancy", title: "Unscoped", body: "Scope it.", confidence: 0.9 };
    const model = answering({ summary: "", findings: [finding, { ...finding, title: "Overconfident", confidence: 90 }] });
    const events: ReviewEvent[] = [];
    const result = await reviewDiff(input([added("backend/app/views.py", [line])]), { model, onEvent: (e) => events.push(e) });

    expect(model.sent).toBe(1);
    expect(events.map((e) => e.type)).toEqual(["model-stage-started", "chunk-started", "usage", "chunk-done"]);
    expect(events[3]).toMatchObject({ outcome: "answered", findings: 1, done: 1, parts: 1, dropped: [expect.stringContaining("findings.1.confidence")] });
    expect(result.report.findings.map((f) => f.finding.title)).toEqual(["Unscoped"]);
    expect(result.report.droppedFindings).toBe(1);
    expect(result.report.notes.join("\n")).toContain("1 malformed finding in the model's answer was dropped");
    expect(result.report.problems).toEqual([]);
  });
});
