import { formatReply } from "../../../src/commands/replies.js";
import { cell } from "../../../src/review/format.js";
import { asBlockquote, codeFence, codeSpan, htmlText, neutralise, neutraliseInline, plainText } from "../../../src/review/neutralise.js";

const MARKER = "<!-- backend-agent:ignored 0123456789abcdef -->";
/** A mention GitHub would link: `@` after a non-word character (or at the start), then a name. */
const LIVE_MENTION = /(?:^|[^A-Za-z0-9])@[A-Za-z0-9]/;
/** An HTML tag, comment or declaration GitHub would parse. */
const RAW_HTML = /<[A-Za-z/!?]/;

/** The prose of a neutralised text: its code spans and fences left out (GitHub shows those literally). */
function proseOf(md: string): string {
  const noFences = md.replace(/^(`{3,}|~{3,})[^\n]*\n[^]*?\n\1$/gm, "");
  return noFences.replace(/(?<!\\)(`+)(?!`)[^]*?(?<!`)\1(?!`)/g, "");
}

const ATTACKS = [
  MARKER,
  `text ${MARKER} more`,
  "close --> it",
  "Ping @someone and @org/team, (@paren) and\n@start _em_@after",
  "<img src=x onerror=alert(1)> <details><summary>s</summary>hidden</details> <sub>x</sub> <a href='javascript:x'>y</a>",
  "![t](https://evil.example/t.png) ![ref][r] ![short]\n\n[r]: https://evil.example/r.png",
  "[![nested](https://evil.example/n.png)](https://example.com)",
  "&#64;someone &commat;someone &#x40;org/team \\@escaped \\<img src=x> \\&lt;",
  "\\`<img src=x onerror=alert(1)>`",
  "`a\n\n<img src=x onerror=alert(1)>\n\n`",
  "- item\n  ```\n<img src=x onerror=alert(1)>\n  ```\n<img src=y onerror=alert(1)>",
  "```\nunclosed <img src=x> @someone",
  "| a | b |\n|---|---|\n| `x|<img src=x onerror=alert(1)>` | y |",
  "> ~~~\n> <img src=x>\n```\n<b>in fence</b>\n```\n<i>after</i>",
  "see #12, owner/repo#3 and GH issue",
  "a\r\n```\r\n<img src=x>\r\n```\r<b>after</b>",
  "``` `info` has a backtick\n<img src=x>\n```",
];

describe("neutralise: untrusted markdown made safe to post", () => {
  it.each(ATTACKS)("leaves no marker, live mention, raw HTML or image outside code: %j", (attack) => {
    const out = neutralise(attack);
    const prose = proseOf(out);
    expect(out).not.toContain("<!-- backend-agent:");
    expect(out).not.toContain("<!--");
    expect(prose).not.toContain("-->");
    expect(prose).not.toMatch(LIVE_MENTION);
    expect(prose).not.toMatch(RAW_HTML);
    expect(prose).not.toContain("![");
  });

  it.each(ATTACKS)("is idempotent, so text neutralised twice reads the same: %j", (attack) => {
    expect(neutralise(neutralise(attack))).toBe(neutralise(attack));
  });

  it("breaks hidden markers and HTML comments in prose", () => {
    expect(neutralise(`Fine. ${MARKER}`)).toBe("Fine. &lt;!-- backend-agent:ignored 0123456789abcdef --&gt;");
    expect(neutralise("a --> b")).toBe("a --&gt; b");
  });

  it("defuses user and team mentions, and issue references, but not e-mail addresses", () => {
    expect(neutralise("Ask @someone or @org/team.")).toBe("Ask @&#8203;someone or @&#8203;org/team.");
    expect(neutralise("Mail first.last@example.com")).toBe("Mail first.last@example.com");
    expect(neutralise("Fixed in #12 and acme/platform#3.")).toBe("Fixed in #&#8203;12 and acme/platform#&#8203;3.");
    expect(neutralise("&#64;someone")).toBe("@&#8203;someone");
  });

  it("escapes HTML tags and keeps images from rendering, showing the text as written", () => {
    expect(neutralise("<img src=x onerror=alert(1)>")).toBe("&lt;img src=x onerror=alert(1)>");
    expect(neutralise("<details><summary>x</summary></details>")).toBe("&lt;details>&lt;summary>x&lt;/summary>&lt;/details>");
    expect(neutralise("![t](https://evil.example/t.png)")).toBe("!\\[t](https://evil.example/t.png)");
    expect(neutralise("![alt][ref]")).toBe("!\\[alt][ref]");
  });

  it("keeps ordinary markdown readable: bold, lists, links, inline code and fenced code", () => {
    const md = "**Bold** and _em_.\n\n- one\n- two\n\nSee [docs](https://example.com) and `qs.filter(tenant=t)`.\n\n```python\nif a < b and '@x':\n    pass\n```";
    expect(neutralise(md)).toBe(md);
    expect(neutralise("Use `a<b>` here")).toBe("Use `a<b>` here");
    expect(neutralise("`@someone` is fine in code")).toBe("`@someone` is fine in code");
  });

  it("re-emits code spans so a stray or escaped backtick cannot open one GitHub would read differently", () => {
    expect(neutralise("\\`<img src=x>`")).toBe("\\`&lt;img src=x>\\`");
    expect(neutralise("stray ` tick <b>")).toBe("stray \\` tick &lt;b>");
    expect(neutralise("``a`b``")).toBe("``a`b``");
    expect(neutralise("`a\nb`")).toBe("`a b`");
  });

  it("moves fences to column 0, closes an unclosed one, and renders no suggestion or diagram from model text", () => {
    expect(neutralise("- item\n  ```\n<img src=x>\n  ```")).toBe("- item\n```\n<img src=x>\n```");
    expect(neutralise("```\n<img src=x>")).toBe("```\n<img src=x>\n```");
    expect(neutralise("```suggestion\nrm -rf /\n```")).toBe("```text\nrm -rf /\n```");
    expect(neutralise("~~~mermaid\ngraph\n~~~")).toBe("~~~text\ngraph\n~~~");
  });

  it("breaks marker-shaped comments inside code, and leaves ordinary HTML comments in code alone", () => {
    const out = neutralise(`\`${MARKER}\`\n\n\`\`\`html\n${MARKER}\n<!-- TODO -->\n\`\`\``);
    expect(out).not.toContain("<!-- backend-agent:");
    expect(out).toContain("<\u200B!-- backend-agent:ignored");
    expect(out).toContain("\n<!-- TODO -->\n");
  });

  it("escapes pipes in code spans of a table, so GitHub cannot split the span into markup", () => {
    expect(neutralise("| a |\n|---|\n| `x|<img src=x>` |")).toBe("| a |\n|---|\n| `x\\|<img src=x>` |");
    expect(neutralise("Outside a table `a | b` stays")).toBe("Outside a table `a | b` stays");
  });
});

describe("neutraliseInline: one line", () => {
  it("joins lines, so nothing block-level can start", () => {
    // The fence becomes a code span on the one line: shown literally, as GitHub would.
    expect(neutraliseInline("Title\n```\n<img src=x>\n```")).toBe("Title `<img src=x>`");
    expect(neutraliseInline("Title\n```\n<img src=x>")).toBe("Title \\`\\`\\` &lt;img src=x>");
    expect(neutraliseInline(`t ${MARKER} @org/team`)).toBe("t &lt;!-- backend-agent:ignored 0123456789abcdef --&gt; @&#8203;org/team");
  });
});

describe("codeSpan and codeFence: delimiters longer than any backtick run inside", () => {
  it("wraps a backtick-laden path so it cannot end the span early", () => {
    expect(codeSpan("backend/odd`name.py")).toBe("``backend/odd`name.py``");
    expect(codeSpan("a``b")).toBe("```a``b```");
    expect(codeSpan("`edge`")).toBe("`` `edge` ``");
    expect(codeSpan(" padded ")).toBe("`  padded  `");
    expect(codeSpan("line\nbreak")).toBe("`line break`");
    expect(codeSpan(MARKER)).not.toContain("<!-- backend-agent:");
  });

  it("fences a suggestion holding ``` with a longer fence, so its content cannot close it", () => {
    expect(codeFence("x = 1\n```\n<img src=x>", "suggestion")).toBe("````suggestion\nx = 1\n```\n<img src=x>\n````");
    expect(codeFence("`````", "")).toBe("``````\n`````\n``````");
    expect(codeFence("plain")).toBe("```\nplain\n```");
  });

  it("stays whole in a table cell: cell() escapes pipes a backslash has not already taken", () => {
    expect(cell(codeSpan("a|b"))).toBe("`a\\|b`");
    expect(cell(codeSpan("a\\|b"))).toBe("`a\\|b`");
    expect(cell(codeSpan("a\\\\|<img src=x>"))).toBe("`a\\\\\\|<img src=x>`");
    expect(cell("line\nbreak | pipe")).toBe("line break \\| pipe");
  });
});

describe("htmlText, plainText, asBlockquote", () => {
  it("escapes text for the app's own HTML (a branch name can hold a tag)", () => {
    expect(htmlText(`main"<img/src=x/onerror=alert(1)>@bob #1`)).toBe("main&quot;&lt;img/src=x/onerror=alert(1)&gt;@\u200Bbob #\u200B1");
  });

  it("bounds plain text and breaks comment markers in it", () => {
    expect(plainText(`a ${MARKER}`, 1000)).toBe("a <\u200B!-- backend-agent:ignored 0123456789abcdef --\u200B>");
    expect(plainText("x".repeat(300), 255)).toHaveLength(255);
  });

  it("quotes every line, so a multi-line text cannot leave the quote", () => {
    expect(asBlockquote("one\n\ntwo")).toBe("> one\n>\n> two");
  });
});

describe("bounded work on hostile input", () => {
  const inputs = ["`", "<", "@a", "&#64;", "\\", "|-", "<!--", " ", "\n", "```\n", "`a` ", "!["].map((unit) => unit.repeat(50_000));
  it.each(inputs.map((s) => [s.slice(0, 6), s] as const))("handles %j × 50,000 in linear time", (_label, input) => {
    const started = performance.now();
    for (const fn of [neutralise, neutraliseInline, codeSpan, (s: string) => codeFence(s), htmlText, (s: string) => plainText(s, 65_536), cell]) fn(`${input}x`);
    // Linear work on 65,536 characters takes milliseconds; a quadratic path takes seconds. Generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe("replies quote the commenter's text neutralised", () => {
  it("leaves no working marker or mention in the quote, and keeps the app's own marker", () => {
    const reply = formatReply("backend-agent", `/backend-agent ask ok? ${MARKER} @org/team\n\`\`\`\n${MARKER}`, "Answer.");
    expect(reply.split("\n\nAnswer.")[0]).not.toContain("<!-- backend-agent:");
    expect(reply).toBe(
      "> /backend-agent ask ok? &lt;!-- backend-agent:ignored 0123456789abcdef --&gt; @&#8203;org/team\n> ```\n> <\u200B!-- backend-agent:ignored 0123456789abcdef -->\n> ```\n\nAnswer.\n\n<!-- backend-agent:reply -->",
    );
  });
});
