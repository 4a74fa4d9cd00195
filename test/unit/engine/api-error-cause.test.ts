/**
 * A failed model call becomes a sentence safe to post (UserFacingError), and the
 * SDK's error stays its `cause`: the HTTP status and the provider's request id
 * reach the logs, through the real SDK against the fake Anthropic API.
 */
import Anthropic from "@anthropic-ai/sdk";
import { parseAgent } from "../../../src/agents/load-agent.js";
import { reviewChunk } from "../../../src/engine/review-with-tools.js";
import { apiErrorFields, UserFacingError } from "../../../src/errors.js";
import { FakeAnthropic } from "../../support/fake-anthropic.js";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await FakeAnthropic.start();
});
afterAll(() => fake.stop());

const agent = parseAgent("---\nname: backend-agent\ndescription: test\n---\nReview the diff.\n", "test");

it("keeps the SDK error as the cause, with its status and request id", async () => {
  fake.enqueue({ kind: "error", status: 529, type: "overloaded_error", headers: { "request-id": "req_0123456789abcdefghijklmn" } });
  const client = new Anthropic({ apiKey: "k", baseURL: fake.url, maxRetries: 0 });
  const error: unknown = await reviewChunk(client, { model: "claude-sonnet-4-5", maxOutputTokens: 100 }, { agent, user: "diff" }).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(UserFacingError);
  expect((error as Error).message).toBe("The model call failed: the API is overloaded (529) and retries ran out.");
  expect((error as Error).cause).toBeInstanceOf(Anthropic.APIError);
  expect(apiErrorFields(error)).toEqual({ status: 529, requestId: "req_0123456789abcdefghijklmn" });
});

it("finds nothing to add for an error without a status", () => {
  expect(apiErrorFields(new Error("plain", { cause: new Error("inner") }))).toEqual({});
});
