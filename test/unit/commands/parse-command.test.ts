import { MAX_SKIP_REASON_CHARS, parseCommand } from "../../../src/commands/parse-command.js";
import { RateLimiter } from "../../../src/commands/rate-limit.js";

const parse = (body: string, thread = false) => parseCommand(body, "backend-agent", { thread });

describe("slash command parsing", () => {
  it("reads the bare command and each sub-command, forgiving indent, case and text on later lines", () => {
    expect(parse("/backend-agent")).toEqual({ name: "review", request: "/backend-agent" });
    expect(parse("\n  /backend-agent REVIEW please\nthanks!")).toEqual({ name: "review", request: "/backend-agent REVIEW please" });
    expect(parse("/Backend-Agent Security")).toMatchObject({ name: "security" });
    expect(parse("/backend-agent help\n\nmore text")).toMatchObject({ name: "help" });
    expect(parse("Looks good to me.\n/backend-agent review")).toMatchObject({ name: "review" });
    expect(parse("/backend-agent\r\nsecond line")).toMatchObject({ name: "review" });
  });

  it("takes the rest of the line and the following lines as the question of ask", () => {
    expect(parse("/backend-agent ask why is `total` slow?\nIt loops over every invoice.")).toEqual({
      name: "ask",
      question: "why is `total` slow?\nIt loops over every invoice.",
      request: "/backend-agent ask why is `total` slow?\nIt loops over every invoice.",
    });
    expect(parse("/backend-agent ASK")).toMatchObject({ name: "ask", question: "" });
  });

  it("reads skip's reason from the rest of the line and the following lines, on one line and bounded", () => {
    expect(parse("/backend-agent skip model outage,\nreviewed by hand")).toEqual({ name: "skip", reason: "model outage, reviewed by hand", request: "/backend-agent skip model outage," });
    expect(parse("/backend-agent SKIP")).toMatchObject({ name: "skip", reason: "" });
    expect(parse("/backend-agent skip", true)).toMatchObject({ name: "skip", reason: "" });
    const long = parse(`/backend-agent skip ${"x".repeat(100_000)}`);
    expect(long).toMatchObject({ name: "skip" });
    expect(long?.name === "skip" && long.reason.length).toBe(MAX_SKIP_REASON_CHARS);
  });

  it("names an unknown sub-command, and in a review thread reads any text as a question", () => {
    expect(parse("/backend-agent revew")).toEqual({ name: "unknown", word: "revew", request: "/backend-agent revew" });
    expect(parse("/backend-agent is this safe?", true)).toMatchObject({ name: "ask", question: "is this safe?" });
    expect(parse("/backend-agent security", true)).toMatchObject({ name: "security" });
  });

  it("does not trigger on a mention mid-sentence, another command, code, quotes or HTML comments", () => {
    for (const body of [
      "You can run /backend-agent review to get a review.",
      "/backend-agents review",
      "/backend-agent-x review",
      "`/backend-agent review`",
      "```\n/backend-agent review\n```",
      "~~~~text\n/backend-agent review\n~~~~",
      "    /backend-agent review",
      "\t/backend-agent review",
      "> /backend-agent review",
      "> Someone said:\n/backend-agent review",
      "<!--\n/backend-agent review\n-->",
      "<!-- /backend-agent review -->",
      "",
    ]) {
      expect([body, parse(body)]).toEqual([body, undefined]);
    }
  });

  it("triggers on a command after a closed code block or a quote ended by a blank line", () => {
    expect(parse("```\n/backend-agent security\n```\n/backend-agent help")).toMatchObject({ name: "help" });
    expect(parse("> quoted\n\n/backend-agent help")).toMatchObject({ name: "help" });
  });
});

describe("per-PR rate limit", () => {
  it("allows max commands per window, then says when the next one may run", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect(limiter.take("pr")).toEqual({ allowed: true });
    now = 10_000;
    expect(limiter.take("pr")).toEqual({ allowed: true });
    expect(limiter.take("other")).toEqual({ allowed: true });
    now = 20_000;
    expect(limiter.take("pr")).toEqual({ allowed: false, retryInMs: 40_000 });
    now = 60_000;
    expect(limiter.take("pr")).toEqual({ allowed: true });
  });
});
