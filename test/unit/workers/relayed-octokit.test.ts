/**
 * A GitHub answer relayed from the main thread's Octokit to a review thread's, over a
 * real MessagePort: a page of a PR's file list whose one patch is 8 or 16 MB (Octokit's
 * own JSON parser gives such a body back as a string on Node 20) arrives parsed, and
 * its bytes are moved to the other side, not parsed or cloned on the main side.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MessageChannel } from "node:worker_threads";
import { ProbotOctokit } from "probot";
import type { Octokit } from "../../../src/github/octokit.js";
import { makeRelayedRequest, relayedOctokit, type GitHubRelay, type RelayedResponse } from "../../../src/workers/relayed-octokit.js";
import { rpcClient, serveRpc } from "../../../src/workers/thread-rpc.js";

const MB = 1024 * 1024;
let server: Server;
let baseUrl: string;
let patch = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/repos/o/r/pulls/1/files")) {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      return res.end(JSON.stringify([{ filename: "huge.py", status: "added", additions: 1, deletions: 0, patch }]));
    }
    if (req.url === "/repos/o/r/contents/missing") {
      res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
      return res.end(JSON.stringify({ message: "Not Found", status: "404" }));
    }
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end("plain text");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** The main thread's Octokit serving `github` on one end of a channel; the thread's Octokit on the other. */
function relayPair() {
  const main = new ProbotOctokit({ baseUrl, auth: "ghs_test", throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit;
  const sent: RelayedResponse[] = [];
  const { port1, port2 } = new MessageChannel();
  serveRpc(port1, {
    github: async (_installation: number, request: Parameters<GitHubRelay>[1]) => {
      const reply = await makeRelayedRequest(main, request);
      sent.push(reply);
      return reply;
    },
  });
  const client = rpcClient<{ github: GitHubRelay }>(port2);
  const thread = relayedOctokit(1, (id, request) => client.github(id, request), baseUrl);
  return { thread, sent, close: () => (port1.close(), port2.close()) };
}

describe("GitHub's answers relayed to a review thread", () => {
  it.each([8, 16])("paginates a file list with a %i MB patch: parsed on the thread's side, its bytes moved, not copied", async (size) => {
    patch = "+x = 'y'\n".repeat(Math.floor((size * MB) / 9));
    const { thread, sent, close } = relayPair();
    try {
      const files = await thread.paginate(thread.rest.pulls.listFiles, { owner: "o", repo: "r", pull_number: 1, per_page: 100 });
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ filename: "huge.py", status: "added" });
      expect(files[0]!.patch).toHaveLength(patch.length);
      // Transferred: the main side's buffer is detached once posted (a clone would leave it whole).
      const reply = sent[0]!;
      expect(reply.ok && reply.body?.byteLength).toBe(0);
    } finally {
      close();
    }
  });

  it("keeps an error's status and body, and decodes text as text", async () => {
    const { thread, close } = relayPair();
    try {
      const error: unknown = await thread.request("GET /repos/o/r/contents/missing").catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 404, response: { data: { message: "Not Found" } } });
      expect((await thread.request("GET /zen")).data).toBe("plain text");
    } finally {
      close();
    }
  });
});
