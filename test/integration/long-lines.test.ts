/**
 * An outsider cannot freeze the app with text built to make its patterns backtrack.
 * The app runs as a real process, so a stalled event loop shows as slow answers to
 * this test's requests: a `-----BEGIN RSA PRIVATE KEY-----` line followed by a
 * 20,000-character line of `+` (ending in one other character) held the loop for hours (quoted in a reply to the
 * comment, and redacted and scanned in the diff). Webhooks and /healthz must stay
 * answered in under a second while the app works on both, and the review completes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER, REPO, SECRET, waitFor } from "../support/app-harness.js";
import { processEnv, spawnApp, type AppProcess } from "../support/app-process.js";
import { BOT_USER } from "../support/fake-github.js";
import { startRig, type ProcessRig } from "../support/process-rig.js";
import { issueCommentPayload, sendWebhook } from "../support/signed-webhook.js";

const BEGIN = ["-----BEGIN RSA ", "PRIVATE KEY-----"].join("");
/** 20,000 characters of `+` whose last one does not fit a key body: what made the old pattern backtrack. */
const PLUSES = `${"+".repeat(19_999)}!`;
/** The issue's bound for an acknowledgement while the app works. */
const ACK_MS = 1_000;

let rig: ProcessRig;
let app: AppProcess;
let dataDir: string;

beforeAll(async () => {
  rig = await startRig();
  dataDir = mkdtempSync(join(tmpdir(), "backend-agent-long-lines-"));
  app = await spawnApp(processEnv(rig.github, rig.anthropic, { DATA_DIR: dataDir }));
});
afterAll(async () => {
  await app.stop("SIGKILL");
  await rig.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** How long one request takes; a stalled app fails here rather than hanging the test. */
async function timed(request: () => Promise<{ status: number }>): Promise<number> {
  const start = performance.now();
  const { status } = await request();
  expect(status).toBe(200);
  return performance.now() - start;
}

const healthz = () => fetch(`${app.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
/** A comment without a command: the app only has to acknowledge it. */
const chatter = (n: number) =>
  sendWebhook(`${app.url}/api/github/webhooks`, {
    event: "issue_comment",
    payload: issueCommentPayload({ owner: OWNER, repo: REPO, number: 301 }, { body: `thanks ${n}`, user: "octocat", id: 5_000 + n }),
    secret: SECRET,
  });

it("answers webhooks and /healthz within a second while it works on an outsider's key-header comment and a key-header diff", async () => {
  // (b) A pull request whose backend diff holds the header and the long line.
  const sha = rig.openPullRequest(301, {
    base: { "backend/sso/keys.py": "SSO = True\n" },
    head: { "backend/sso/keys.py": `SSO = True\nKEY = """${BEGIN}\n${PLUSES}\n"""\n` },
  });
  rig.anthropic.enqueue({ kind: "json", value: { summary: "", findings: [] } });
  // (a) An outsider's question holding the same lines: refused, with the request quoted back.
  rig.github.setPermission(OWNER, REPO, "mallory", "none");
  const body = `/backend-agent ask what is this?\n${BEGIN}\n${PLUSES}`;
  const commentId = rig.github.addIssueComment(OWNER, REPO, 301, { body, user: { login: "mallory", type: "User" } });

  const deliveries = [
    rig.deliver(app.url, 301, sha),
    sendWebhook(`${app.url}/api/github/webhooks`, {
      event: "issue_comment",
      payload: issueCommentPayload({ owner: OWNER, repo: REPO, number: 301 }, { body, user: "mallory", id: commentId }),
      secret: SECRET,
    }),
  ];
  const done = () => rig.runsOn(sha).some((r) => r.status === "completed") && rig.github.issueComments(OWNER, REPO, 301).some((c) => c.user.login === BOT_USER.login);

  const times: number[] = [];
  for (let n = 0; times.length < 12 || !done(); n++) {
    times.push(await timed(healthz), await timed(() => chatter(n)));
    if (n > 200) break;
  }
  for (const d of await Promise.all(deliveries)) expect(d.status).toBe(200);
  expect(times.filter((ms) => ms >= ACK_MS)).toEqual([]);

  const [run] = await rig.completedRuns(sha, 1);
  expect(run?.status).toBe("completed");
  // The model saw the line cut and redacted: no run of `+` longer than the cap, and the marker.
  const sent = rig.anthropic.sentText().join("\n");
  expect(sent).toContain(`<redacted:private-key>… <cut: ${PLUSES.length - 4_000} chars>`);
  expect(sent).not.toContain("+".repeat(4_001));

  const reply = await waitFor(() => rig.github.issueComments(OWNER, REPO, 301).find((c) => c.user.login === BOT_USER.login), "the refusal");
  expect(reply.body).toMatch(new RegExp(`^> /backend-agent ask what is this\\?\\n> ${BEGIN}\\n> &lt;redacted:private-key>\\n\\nSorry @mallory`));
});
