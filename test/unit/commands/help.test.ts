import { renderHelp } from "../../../src/commands/help.js";
import { DEFAULT_SETTINGS } from "../../../src/config/repo-config.js";

const MARKER = "<!-- backend-agent:ignored 0123456789abcdef -->";

describe("the help reply renders the repository's settings safely", () => {
  const text = renderHelp({
    agentName: "backend-agent",
    agentSource: "acme/api@x<img/src=x/onerror=alert(1)>:.claude/agents/backend-agent.md",
    model: "sonnet",
    settings: { ...DEFAULT_SETTINGS, paths: ["backend/`odd`/**", `x ${MARKER}`], ignore: ["@org/team"] },
    defaultBranch: "x<img/src=x/onerror=alert(1)>",
    configProblems: [{ key: "paths`", message: `bad ${MARKER} @someone` }],
    notes: [`line one <b>\n\nline two ${MARKER}`],
  });

  it("leaves no working marker, HTML tag or mention from the settings, problems or notes", () => {
    expect(text).not.toContain("<!-- backend-agent:");
    // The branch appears twice: in a code span (shown literally) and escaped inside the app's <summary>.
    expect(text.split("<img")).toHaveLength(2);
    expect(text).toContain("on `x<img/src=x/onerror=alert(1)>` is invalid");
    expect(text).not.toContain("<b>");
    expect(text).not.toMatch(/[^A-Za-z0-9_`]@(?:someone|org)/);
  });

  it("shows values whole in code spans, the branch escaped in the app's HTML, and notes quoted on every line", () => {
    expect(text).toContain("| `paths` | ``backend/`odd`/**``, `x <\u200B!-- backend-agent:ignored 0123456789abcdef -->` |");
    expect(text).toContain("| `ignore` | `@org/team` |");
    expect(text).toContain("<code>x&lt;img/src=x/onerror=alert(1)&gt;</code>");
    expect(text).toContain("> - `` paths` ``: bad &lt;!-- backend-agent:ignored 0123456789abcdef --&gt; @&#8203;someone");
    expect(text).toContain("> [!NOTE]\n> line one &lt;b>\n>\n> line two &lt;!--");
  });
});
