import { OWNER, REPO, startHarness, type Harness } from "../support/app-harness.js";
import { lineOf, modelFinding } from "../support/django-fixtures.js";

// Built from pieces so this file holds no token-shaped literal.
const KEY_ID = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
const SECRET_KEY = ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/");
const GH_TOKEN = `ghp_${"a1B2c3D4e5".repeat(4)}`;

const SETTINGS_BEFORE = `import os

DEBUG = False
ALLOWED_HOSTS = ["api.example.com"]
`;
const SETTINGS_AFTER = `import os

DEBUG = False
ALLOWED_HOSTS = ["api.example.com"]

AWS_ACCESS_KEY_ID = "${KEY_ID}"
AWS_SECRET_ACCESS_KEY = "${SECRET_KEY}"
AWS_STORAGE_BUCKET_NAME = os.environ["AWS_STORAGE_BUCKET_NAME"]
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe("secrets in a pull request", () => {
  it("never reach Anthropic or GitHub, and the rule still flags the right line as critical", async () => {
    const sha = h.openPullRequest(201, { base: { "backend/config/settings/base.py": SETTINGS_BEFORE }, head: { "backend/config/settings/base.py": SETTINGS_AFTER } });
    const secretLine = lineOf(SETTINGS_AFTER, "AWS_SECRET_ACCESS_KEY");
    h.anthropic.enqueue({
      kind: "json",
      value: {
        summary: "",
        findings: [
          // The same problem as the rule's: merged into one comment.
          modelFinding({ path: "backend/config/settings/base.py", line: secretLine, severity: "high", title: "Hard-coded AWS secret" }),
          // Model text is posted: a token in it is redacted too.
          modelFinding({ path: "backend/config/settings/base.py", line: lineOf(SETTINGS_AFTER, "BUCKET"), severity: "low", category: "maintainability", title: "Bucket name", body: `Unlike the token ${GH_TOKEN}, this is fine.` }),
        ],
      },
    });
    await h.deliver("opened", 201, sha);
    const check = await h.completedCheck(sha);

    const sentToModel = h.anthropic.sentText().join("\n");
    const sentToGitHub = h.github.requests.map((r) => r.rawBody).join("\n");
    for (const secret of [KEY_ID, SECRET_KEY, GH_TOKEN]) {
      expect(sentToModel).not.toContain(secret);
      expect(sentToGitHub).not.toContain(secret);
    }
    // The model saw the line, with its shape kept.
    expect(sentToModel).toMatch(new RegExp(`${secretLine} \\+AWS_SECRET_ACCESS_KEY = "<redacted:aws-secret-key>"`));

    expect(check.conclusion).toBe("failure");
    const [review] = h.github.reviews(OWNER, REPO, 201);
    const onSecretLine = review!.comments.filter((c) => c.line === secretLine);
    expect(onSecretLine).toHaveLength(1);
    expect(onSecretLine[0]!.body).toMatch(/^🛑 \*\*Critical\*\* · security/);
    expect(onSecretLine[0]!.body).toContain("rule `secrets/known-token`");
    // Model text is neutralised markdown: `&lt;` renders as `<`.
    expect(review!.comments.find((c) => c.body.includes("Bucket name"))!.body).toContain("Unlike the token &lt;redacted:github-token>, this is fine.");
    expect(h.github.issueLabels(OWNER, REPO, 201)).toEqual(["security: critical"]);
  });

  it("reports rule findings even when the model is down, and honours per-repo rule overrides", async () => {
    h.anthropic.fallback = { kind: "error", status: 529, type: "overloaded_error", headers: { "retry-after-ms": "5" } };
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "rules:\n  code-execution/eval: critical\n  auth-settings: off\n");
    const view = `from rest_framework.permissions import AllowAny\n\n\ndef run(request):\n    return eval(request.GET["expr"])\n\n\nclass Open:\n    permission_classes = [AllowAny]\n`;
    const sha = h.openPullRequest(202, { base: {}, head: { "backend/tools/views.py": view } });
    await h.deliver("opened", 202, sha);
    const check = await h.completedCheck(sha);
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("1 critical (review incomplete: 1 file not reviewed)");
    const [review] = h.github.reviews(OWNER, REPO, 202);
    expect(review!.comments).toEqual([expect.objectContaining({ line: lineOf(view, "eval("), side: "RIGHT" })]);
    expect(review!.comments[0]!.body).toContain("rule `code-execution/eval`");
  });
});
