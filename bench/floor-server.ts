/**
 * The floor of webhook ack latency: a bare Node HTTP server that only verifies the
 * signature, parses the JSON and answers 200. Prints `listening <port>`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@octokit/webhooks-methods";

const secret = process.env.WEBHOOK_SECRET ?? "";
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    void verify(secret, body, String(req.headers["x-hub-signature-256"] ?? "")).then((ok) => {
      if (!ok) return void res.writeHead(400).end();
      JSON.parse(body);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
});
// The same keep-alive as the app's server, so both are measured alike.
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`listening ${(server.address() as AddressInfo).port}`));
