/**
 * A second reference for ack latency: Probot's own webhook middleware with one
 * handler that only logs a line, as ours does, but writes nothing anywhere. The gap
 * between it and the bare floor is the framework's; the gap between it and the
 * app is ours (the durable queue write, metrics). Prints `listening <port>`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, createProbot } from "probot";

const probot = createProbot({ env: process.env });
const middleware = await createNodeMiddleware(
  (app) => app.on("pull_request.opened", async (context) => context.log.info({ repo: context.payload.repository.full_name, pr: context.payload.number, job: context.id }, "review queued")),
  { probot, webhooksPath: "/api/github/webhooks" },
);
const server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
// The same keep-alive as the app's server, so both are measured alike.
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`listening ${(server.address() as AddressInfo).port}`));
