/**
 * The model reads the repository it reviews: through the real app, the real Octokit
 * fetches the head commit's tarball from the fake GitHub (302 to its codeload), the
 * real Anthropic client runs the tool loop against the fake API, and what the model
 * gets back is asserted as it would see it.
 */
import { toolResultsOf } from "../support/data-blocks.js";
import { OWNER, REPO, startHarness, type Harness } from "../support/app-harness.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";

const TOKEN = ["ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"].join("");
const PERMISSIONS_HEAD = "class IsBillingAdmin(BasePermission):\n    def has_permission(self, request, view):\n        return request.user.is_billing_admin\n";
const base = {
  "backend/billing/views.py": VIEWS_BEFORE,
  "backend/billing/permissions.py": PERMISSIONS_HEAD,
  "backend/settings/base.py": `GITHUB_TOKEN = "${TOKEN}"\nDEBUG = False\n`,
};
const pr = { base, head: { "backend/billing/views.py": VIEWS_AFTER } };
const allLine = lineOf(VIEWS_AFTER, "Invoice.objects.all()");

let h: Harness;
beforeAll(async () => {
  // Small chunks: two ~1,000-token files are two requests, the views fixture one.
  h = await startHarness({ TOOL_MAX_TURNS: "8", CHUNK_INPUT_TOKENS: "1500", METRICS_TOKEN: "metrics-token" });
  h.github.setPermission(OWNER, REPO, "maya", "write");
  // The default branch has moved on: only the head commit has this version of the file.
  h.github.setFile(OWNER, REPO, "backend/billing/permissions.py", "# default branch version\n");
  h.github.setFile(OWNER, REPO, "CLAUDE.md", "Every queryset of a tenant model is filtered by request.tenant.\n");
  h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", 'instructions:\n  - paths: ["backend/billing/**"]\n    text: "Invoices are money: flag any missing permission check."\n');
});
afterAll(() => h.stop());
beforeEach(() => h.anthropic.reset());


const tarballCalls = () => h.github.requestsTo("GET", /\/tarball\//).length;

describe("the model's read-only tools over the head commit", () => {
  it("reads a file outside the diff from the head commit, greps, is refused `..` and `.git/`, sees secrets redacted — and the check completes", async () => {
    const sha = h.openPullRequest(401, pr, { tarball: [{ path: ".git/config", content: "[remote \"origin\"]\n" }] });
    h.anthropic.enqueue(
      {
        kind: "tool_use",
        calls: [
          { name: "read_file", input: { path: "backend/billing/permissions.py" } },
          { name: "grep", input: { pattern: "is_billing_admin", glob: "*.py" } },
          { name: "read_file", input: { path: "../../etc/passwd" } },
          { name: "read_file", input: { path: ".git/config" } },
          { name: "read_file", input: { path: "backend/settings/base.py" } },
        ],
      },
      {
        kind: "json",
        value: {
          summary: "Permission dropped.",
          // The answer after the tool loop is checked finding by finding, as without tools: the malformed one is dropped, not the answer.
          findings: [modelFinding({ line: allLine, category: "tenancy", severity: "high", title: "Queryset not scoped to the tenant" }), modelFinding({ line: allLine, title: "Bad confidence", confidence: 90 })],
        },
      },
    );

    await h.deliver("opened", 401, sha);
    const check = await h.completedCheck(sha);

    const [first, second, ...more] = h.anthropic.requests;
    expect(more).toEqual([]);
    expect((first!.body.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(["read_file", "grep", "glob"]);
    const system = (first!.body.system as Array<{ text: string }>).map((b) => b.text).join("\n");
    expect(system).toContain("use your read-only tools (read_file, grep, glob)");
    expect(system).not.toContain("Code outside the diff is unknown to you");
    // Project instructions from the default branch, in the cached system part; the path-scoped one in the chunk's turn.
    expect(system).toContain("Every queryset of a tenant model is filtered by request.tenant.");
    expect(JSON.stringify(first!.body.messages)).toContain("Invoices are money: flag any missing permission check.");

    const [read, grep, passwd, gitConfig, settings] = toolResultsOf(second!);
    expect(read!.text).toContain("return request.user.is_billing_admin");
    expect(read!.text).not.toContain("default branch version");
    expect(grep!.text).toMatch(/backend\/billing\/permissions\.py:3:/);
    expect(passwd).toMatchObject({ isError: true, text: expect.stringContaining("`..` is not allowed") });
    expect(gitConfig).toMatchObject({ isError: true, text: expect.stringContaining("`.git/`") });
    expect(gitConfig!.text).not.toContain("remote");
    expect(settings!.text).toContain("<redacted:");
    expect(h.anthropic.sentText().join("\n")).not.toContain(TOKEN);

    expect(check).toMatchObject({ conclusion: "failure", output: { title: "1 high" } });
    expect(check.output.summary).toMatch(/tools: 1 turn, 2 files read, \d+ tokens/);
    expect(check.output.summary).toContain("1 malformed finding in the model's answer was dropped");
    expect(check.output.summary).toContain("instructions: `CLAUDE.md`");
    // One download of the head commit, through the tarball; no tree listing.
    expect(tarballCalls()).toBe(1);
    expect(h.github.requestsTo("GET", /\/git\/trees\//)).toEqual([]);

    // `ask` on the same head reads the code from the same snapshot: no second download.
    h.anthropic.enqueue(
      { kind: "tool_use", calls: [{ name: "grep", input: { pattern: "class IsBillingAdmin" } }, { name: "read_file", input: { path: "backend/billing/permissions.py", offset: 1, limit: 3 } }] },
      { kind: "json", value: { answer: "`IsBillingAdmin` (backend/billing/permissions.py:1) checks `is_billing_admin`, but the view no longer lists it." } },
    );
    await h.comment(401, "/backend-agent ask where is this permission enforced?", { user: "maya" });
    await h.idle();
    const asked = h.anthropic.requests.slice(2);
    expect(asked).toHaveLength(2);
    expect(toolResultsOf(asked[1]!)[0]!.text).toContain("backend/billing/permissions.py:1:class IsBillingAdmin");
    const reply = h.botComments(401).at(-1)!.body;
    expect(reply).toContain("checks `is_billing_admin`, but the view no longer lists it.");
    expect(reply).toContain("and 1 file of its code");
    expect(tarballCalls()).toBe(1);
  });

  it("cuts a model that would call tools forever at TOOL_MAX_TURNS, asks for its answer, and completes the check", async () => {
    const sha = h.openPullRequest(402, pr);
    let offered = 0;
    // The model would go on for 60 calls; the API gives it no tool call once `tool_choice` is none.
    h.anthropic.fallback = (request) => {
      const choice = (request.body.tool_choice as { type?: string } | undefined)?.type;
      if (choice === "none" || offered >= 60) return { kind: "json", value: { summary: "Out of budget.", findings: [] } };
      offered++;
      return { kind: "tool_use", calls: [{ name: "grep", input: { pattern: `Invoice${offered}` } }] };
    };
    await h.deliver("opened", 402, sha);
    const check = await h.completedCheck(sha);
    expect(offered).toBe(8);
    expect(h.anthropic.requests).toHaveLength(9);
    const last = h.anthropic.requests.at(-1)!;
    expect(last.body.tool_choice).toEqual({ type: "none" });
    expect(JSON.stringify(last.body.messages)).toContain("Your tool budget for this request is used up");
    expect(check).toMatchObject({ conclusion: "success" });
    expect(check.output.summary).toMatch(/tools: 8 turns, 0 files read, \d+ tokens \(1 part cut by the tool budget\)/);
    // The metric counts this review's turns and its cut request (after the first test's one turn).
    const metrics = await (await fetch(`${h.app.url}/metrics`, { headers: { authorization: "Bearer metrics-token" } })).text();
    expect(metrics).toMatch(/backend_agent_model_tool_use_total\{kind="toolTurns"\} 9\n/);
    expect(metrics).toMatch(/backend_agent_model_tool_use_total\{kind="cut"\} 1\n/);
  });

  it("fetches the head commit once for all the chunks of a review", async () => {
    const big = (i: number) => Array.from({ length: 80 }, (_, l) => `value_${i}_${l} = Invoice.objects.filter(pk=${l})`).join("\n") + "\n";
    const sha = h.openPullRequest(405, { base, head: { "backend/billing/a.py": big(1), "backend/billing/b.py": big(2) } });
    const before = tarballCalls();
    h.anthropic.fallback = (request) =>
      Array.isArray(request.body.tools) && (request.body.messages as unknown[]).length === 1
        ? { kind: "tool_use", calls: [{ name: "read_file", input: { path: "backend/billing/permissions.py" } }] }
        : { kind: "json", value: { summary: "Reviewed.", findings: [] } };
    await h.deliver("opened", 405, sha);
    const check = await h.completedCheck(sha);
    expect(check.output.summary).toContain("4 calls · 2 chunks");
    expect(check.output.summary).toMatch(/tools: 2 turns, 1 file read/);
    expect(tarballCalls() - before).toBe(1);
  });

  it("reviews the diff without tools, and says so, when the head commit cannot be fetched", async () => {
    // A head of its own (fixture SHAs are deterministic): nothing of it is cached yet.
    const sha = h.openPullRequest(404, { base, head: { ...pr.head, "backend/billing/urls.py": "urlpatterns = []\n" } });
    h.github.failNext("GET", /\/tarball\//, 403, undefined, 5);
    await h.deliver("opened", 404, sha);
    const check = await h.completedCheck(sha);
    const [request, ...more] = h.anthropic.requests;
    expect(more).toEqual([]);
    expect(request!.body.tools).toBeUndefined();
    expect(check.conclusion).toBe("success");
    expect(check.output.summary).toContain("The model reviewed without its repository tools: the head commit's files could not be fetched");
  });

  it("offers no tools and downloads nothing when the repository's config says `tools: false`", async () => {
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "tools: false\n");
    const sha = h.openPullRequest(403, pr);
    const before = tarballCalls();
    await h.deliver("opened", 403, sha);
    const check = await h.completedCheck(sha);
    const [request, ...more] = h.anthropic.requests;
    expect(more).toEqual([]);
    expect(request!.body.tools).toBeUndefined();
    expect((request!.body.system as Array<{ text: string }>)[0]!.text).toContain("Code outside the diff is unknown to you: do not guess about it.");
    expect(tarballCalls()).toBe(before);
    expect(check.output.summary).not.toContain("tools:");
  });
});
