/** Fakes plus helpers for tests that run the app as real processes (see app-process.ts). */
import { OWNER, REPO, SECRET, waitFor } from "./app-harness.js";
import { FakeAnthropic } from "./fake-anthropic.js";
import { FakeGitHub, type CheckRunView } from "./fake-github.js";
import { buildPullRequest, type GitFixtureSpec } from "./git-fixture.js";
import { pullRequestPayload, sendWebhook, type Delivery } from "./signed-webhook.js";

/** The fakes of a process test and the verbs it needs. */
export interface ProcessRig {
  github: FakeGitHub;
  anthropic: FakeAnthropic;
  openPullRequest(number: number, spec: GitFixtureSpec): string;
  deliver(url: string, number: number, headSha: string, deliveryId?: string): Promise<Delivery>;
  runsOn(headSha: string): CheckRunView[];
  /** Waits until `count` check runs on `headSha` are completed, and returns all of them. */
  completedRuns(headSha: string, count: number, timeoutMs?: number): Promise<CheckRunView[]>;
  /**
   * Reviews a fresh PR through `url` and waits for its check run: the jobs queued before it
   * have started by then, so a test can assert that something did *not* happen without a
   * fixed sleep. Its model calls are left out of {@link ProcessRig.modelCalls}.
   */
  barrier(url: string): Promise<void>;
  /** The model calls made so far, a barrier's left out. */
  modelCalls(): number;
  stop(): Promise<void>;
}

/** Starts the fakes. */
export async function startRig(): Promise<ProcessRig> {
  const github = await FakeGitHub.start();
  const anthropic = await FakeAnthropic.start();
  github.setRepository(OWNER, REPO, { defaultBranch: "main" });
  const runsOn = (sha: string) => github.checkRuns(OWNER, REPO).filter((r) => r.head_sha === sha);
  let barriers = 0;
  const rig: ProcessRig = {
    github,
    anthropic,
    openPullRequest(number, spec) {
      const fixture = buildPullRequest(spec);
      fixture.cleanup();
      github.addPullRequest({ owner: OWNER, repo: REPO, number, headSha: fixture.headSha, baseSha: fixture.baseSha, files: fixture.files, draft: false, title: "Add an endpoint" });
      return fixture.headSha;
    },
    deliver: (url, number, headSha, deliveryId) =>
      sendWebhook(`${url}/api/github/webhooks`, { event: "pull_request", payload: pullRequestPayload("opened", { owner: OWNER, repo: REPO, number, headSha }), secret: SECRET, deliveryId }),
    runsOn,
    completedRuns: (sha, count, timeoutMs) =>
      waitFor(() => {
        const runs = runsOn(sha);
        return runs.length >= count && runs.every((r) => r.status === "completed") ? runs : undefined;
      // Processes that start threads under a loaded machine take a while: a generous overall limit, no fixed sleep.
      }, `${count} completed check runs on ${sha}`, timeoutMs ?? 150_000),
    async barrier(url) {
      const number = 9_000 + barriers++;
      const sha = rig.openPullRequest(number, { base: {}, head: { [`backend/barrier/${BARRIER}${number}.py`]: `${BARRIER} = ${number}\n` } });
      await rig.deliver(url, number, sha);
      await rig.completedRuns(sha, 1);
    },
    modelCalls: () => anthropic.sentText().filter((text) => !text.includes(BARRIER)).length,
    async stop() {
      await Promise.all([github.stop(), anthropic.stop()]);
    },
  };
  return rig;
}

/** What marks a barrier's PR (its file name and content). */
const BARRIER = "QUEUE_BARRIER_";
