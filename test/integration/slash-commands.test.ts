import { OWNER, REPO, startHarness, type Harness } from "../support/app-harness.js";
import { dataBlock } from "../support/data-blocks.js";
import { VIEWS_AFTER, VIEWS_BEFORE, lineOf, modelFinding } from "../support/django-fixtures.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.github.setPermission(OWNER, REPO, "maya", "write");
  h.github.setPermission(OWNER, REPO, "max", "maintain");
  h.github.setPermission(OWNER, REPO, "tina", "triage");
  h.github.setPermission(OWNER, REPO, "nina", "none");
});
afterAll(() => h.stop());
beforeEach(() => {
  h.anthropic.reset();
  h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "");
});

const viewsPr = { base: { "backend/billing/views.py": VIEWS_BEFORE }, head: { "backend/billing/views.py": VIEWS_AFTER } };
const allLine = lineOf(VIEWS_AFTER, "Invoice.objects.all()");
const MARKER = "<!-- backend-agent:reply -->";
const modelText = () => h.anthropic.sentText().join("\n");
/** Check runs for a PR (fixtures with the same files share a head SHA, so the SHA does not tell). */
const checksOf = (pr: number) => h.github.checkRuns(OWNER, REPO).filter((r) => r.external_id === `pr:${pr}`);

describe("slash commands on the PR conversation", () => {
  it("reviews the current head on `/backend-agent`, written loosely, by a user with write permission", async () => {
    const sha = h.openPullRequest(201, viewsPr);
    h.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [modelFinding({ line: allLine, category: "tenancy", title: "Queryset is not scoped to the tenant" })] } });

    const { id, delivery } = await h.comment(201, "\n  /Backend-Agent REVIEW\nThe tenant change worries me.", { user: "maya" });
    expect(delivery.status).toBe(200);
    const check = await h.completedCheck(sha);

    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(h.github.requestsTo("GET", /\/collaborators\/maya\/permission$/)).toHaveLength(1);
    expect(check).toMatchObject({ name: "backend-agent", conclusion: "failure", external_id: "pr:201" });
    expect(check.actions).toEqual([{ label: "Re-run review", description: "Review this commit again", identifier: "rerun" }]);
    expect(h.anthropic.requests).toHaveLength(1);
    const [review, ...more] = h.github.reviews(OWNER, REPO, 201);
    expect(more).toEqual([]);
    expect(review!.comments).toEqual([expect.objectContaining({ line: allLine, body: expect.stringContaining("Queryset is not scoped to the tenant") })]);
    expect(h.github.issueLabels(OWNER, REPO, 201)).toEqual(["security: high"]);
    // The review is the answer: no extra comment.
    expect(h.botComments(201)).toEqual([]);
  });

  it("runs the security pass on its own check, and reads the exact role: maintain passes, write does not when only admin and maintain may", async () => {
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "allowedCommenters: [admin, maintain]\n");
    const sha = h.openPullRequest(202, viewsPr);

    await h.comment(202, "/backend-agent security", { user: "maya" });
    await h.idle();
    expect(h.botComments(202).map((c) => c.body)).toEqual([
      expect.stringMatching(/^> \/backend-agent security\n\nSorry @maya, only people with admin or maintain permission/),
    ]);
    expect(h.anthropic.requests).toEqual([]);
    expect(checksOf(202)).toEqual([]);

    h.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [modelFinding({ line: allLine, severity: "critical", category: "security", title: "Cross-tenant read" })] } });
    const { id } = await h.comment(202, "/backend-agent security", { user: "max" });
    const check = await h.completedCheck(sha);
    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(check).toMatchObject({ name: "backend-agent (security)", conclusion: "failure" });
    expect(checksOf(202).map((r) => r.name)).toEqual(["backend-agent (security)"]);
    expect(h.anthropic.requests).toHaveLength(1);
    expect(modelText()).toContain("Focus: a security-only pass");
    expect(h.github.issueLabels(OWNER, REPO, 202)).toEqual(["security: critical"]);

    // A clean security pass never lowers or clears what a review set: the critical's code is unchanged, so it is still open.
    h.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [] } });
    await h.comment(202, "/backend-agent security", { user: "max" });
    await h.idle();
    expect(checksOf(202).map((r) => r.conclusion)).toEqual(["failure", "failure"]);
    expect(checksOf(202)[1]!.output.summary).toContain("**0 new** · **1 still open**");
    expect(h.github.issueLabels(OWNER, REPO, 202)).toEqual(["security: critical"]);
  });

  it("answers `ask` in a quoted reply from the redacted backend diff, with no review, label or check", async () => {
    const sha = h.openPullRequest(203, viewsPr);
    const token = `ghp_${"a1B2c3D4e5".repeat(4)}`;
    h.anthropic.enqueue({ kind: "json", value: { answer: `\`get_queryset\` returns \`Invoice.objects.all()\` (views.py:${allLine}), so every tenant's invoices are listed. Also, never paste ${token}.` } });

    const { id } = await h.comment(203, `/backend-agent ask Is the queryset still tenant-scoped?\nI pasted ${token} by mistake.`, { user: "maya" });
    await h.idle();

    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(h.anthropic.requests).toHaveLength(1);
    const sent = modelText();
    expect(dataBlock(sent, "question")).toBe("Is the queryset still tenant-scoped?\nI pasted <redacted:github-token> by mistake.");
    expect(sent).toContain("### backend/billing/views.py — modified");
    expect(sent).toContain("Invoice.objects.all()");
    expect(sent).not.toContain(token);

    const [reply, ...more] = h.botComments(203);
    expect(more).toEqual([]);
    expect(reply!.body).toMatch(/^> \/backend-agent ask Is the queryset still tenant-scoped\?\n> I pasted &lt;redacted:github-token> by mistake\.\n\n`get_queryset` returns/);
    expect(reply!.body).toContain(`(views.py:${allLine}), so every tenant's invoices are listed.`);
    expect(reply!.body).toContain(`Answered from the diff of \`${sha.slice(0, 7)}\` (1 file) by \`claude-sonnet-5-5\``);
    expect(reply!.body).toContain(MARKER);
    expect(reply!.body).not.toContain(token);
    expect(h.github.reviews(OWNER, REPO, 203)).toEqual([]);
    expect(h.github.issueLabels(OWNER, REPO, 203)).toEqual([]);
    expect(checksOf(203)).toEqual([]);
  });

  it("replies to `help` with the commands and the repo's settings in force, without the model", async () => {
    h.github.setFile(OWNER, REPO, ".github/backend-agent.yml", "failOn: critical\npaths: ['services/**', 'backend/**']\n");
    h.openPullRequest(204, viewsPr);
    const { id } = await h.comment(204, "/backend-agent HELP", { user: "max" });
    await h.idle();

    expect(h.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    const [reply] = h.botComments(204);
    expect(reply!.body).toMatch(/^> \/backend-agent HELP\n\n\*\*backend-agent\*\* commands, for users with `admin`, `maintain`, `write` permission/);
    for (const row of ["`/backend-agent` or `/backend-agent review`", "`/backend-agent security`", "`/backend-agent ask <question>`", "`/backend-agent help`"]) {
      expect(reply!.body).toContain(`| ${row} |`);
    }
    expect(reply!.body).toContain("| `failOn` | `critical` |");
    expect(reply!.body).toContain("| `paths` | `services/**`, `backend/**` |");
    expect(reply!.body).toContain("| `model` | `claude-sonnet-5-5` |");
    expect(reply!.body).toContain(MARKER);
    expect(h.anthropic.requests).toEqual([]);
  });

  it("answers an unknown sub-command with the list of commands, without the model", async () => {
    h.openPullRequest(205, viewsPr);
    await h.comment(205, "/backend-agent revew please", { user: "maya" });
    await h.idle();
    const [reply] = h.botComments(205);
    expect(reply!.body).toMatch(/^> \/backend-agent revew please\n\n`revew` is not a `\/backend-agent` command\./);
    expect(reply!.body).toContain("| `/backend-agent ask <question>` |");
    expect(h.anthropic.requests).toEqual([]);
  });
});

describe("who may trigger", () => {
  it("tells a read, triage or no-access user once per PR, without a reaction or a model call", async () => {
    h.openPullRequest(206, viewsPr);
    const first = await h.comment(206, "/backend-agent review", { user: "rita" });
    await h.idle();
    await h.comment(206, "/backend-agent ask why not?", { user: "rita" });
    await h.comment(206, "/backend-agent", { user: "tina" });
    await h.comment(206, "/backend-agent security", { user: "nina" });
    await h.idle();

    // Commands of different people run side by side (in worker threads): their replies may come in any order.
    const [toRita, ...others] = h.botComments(206).map((c) => c.body);
    expect(toRita).toMatch(/^> \/backend-agent review\n\nSorry @rita, only people with admin, maintain or write permission on this repository can run `\/backend-agent` commands/);
    expect(others).toHaveLength(2);
    expect(others).toEqual(expect.arrayContaining([expect.stringContaining("Sorry @nina"), expect.stringContaining("Sorry @tina")]));
    expect(h.github.reactions(OWNER, REPO, first.id)).toEqual([]);
    expect(h.anthropic.requests).toEqual([]);
    expect(checksOf(206)).toEqual([]);
  });

  it("finds its earlier notice on GitHub (e.g. after a restart) instead of repeating it", async () => {
    h.openPullRequest(207, viewsPr);
    h.github.addIssueComment(OWNER, REPO, 207, { body: "> /backend-agent\n\nSorry @Rita, …\n\n<!-- backend-agent:denied:rita -->", user: { login: "backend-agent[bot]", type: "Bot" } });
    const before = h.botComments(207).length;
    await h.comment(207, "/backend-agent review", { user: "rita" });
    await h.idle();
    expect(h.botComments(207)).toHaveLength(before);
    expect(h.github.requestsTo("GET", /\/issues\/207\/comments$/)).toHaveLength(1);
  });

  it("ignores other bots, its own comments, and commands quoted, in code or mid-sentence — without a single GitHub call", async () => {
    h.openPullRequest(208, viewsPr);
    const before = h.github.requests.length;
    const ignored: Array<[string, { user: string; userType?: "User" | "Bot" }]> = [
      ["/backend-agent review", { user: "dependabot[bot]", userType: "Bot" }],
      [`> /backend-agent review\n\nA review of \`abc1234\` is already running.\n\n${MARKER}`, { user: "backend-agent[bot]", userType: "Bot" }],
      [`/backend-agent review\n${MARKER}`, { user: "maya" }],
      ["> /backend-agent review\nWhy did this run?", { user: "maya" }],
      ["Try:\n```\n/backend-agent security\n```", { user: "maya" }],
      ["You can type /backend-agent review to get one.", { user: "maya" }],
    ];
    for (const [body, who] of ignored) expect((await h.comment(208, body, who)).delivery.status).toBe(200);
    await h.idle();
    expect(h.github.requests.slice(before)).toEqual([]);
    // Only the seeded comment of the bot itself: nothing was answered.
    expect(h.botComments(208).map((c) => c.body)).toEqual([ignored[1]![0]]);
    expect(h.anthropic.requests).toEqual([]);
  });
});

describe("the per-PR rate limit", () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({}, { commandLimit: { max: 1, windowMs: 10 * 60_000 }, allowedBots: ["renovate[bot]"] });
    limited.github.setPermission(OWNER, REPO, "maya", "write");
    limited.github.setPermission(OWNER, REPO, "renovate[bot]", "write");
  });
  afterAll(() => limited.stop());

  it("counts an allowed bot's command, then refuses the next one with a clear reply and no model call", async () => {
    limited.openPullRequest(209, viewsPr);
    await limited.comment(209, "/backend-agent help", { user: "renovate[bot]", userType: "Bot" });
    await limited.idle();
    const { id } = await limited.comment(209, "/backend-agent ask Is this safe?", { user: "maya" });
    await limited.idle();
    const replies = limited.botComments(209).map((c) => c.body);
    expect(replies).toEqual([
      expect.stringContaining("**backend-agent** commands"),
      expect.stringMatching(/^> \/backend-agent ask Is this safe\?\n\nToo many commands on this pull request: at most 1 every 10 minutes\. Try again in 10 minutes\./),
    ]);
    expect(limited.github.reactions(OWNER, REPO, id)).toEqual(["eyes"]);
    expect(limited.anthropic.requests).toEqual([]);
  });
});
