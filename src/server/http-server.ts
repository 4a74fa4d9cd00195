import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Env } from "../config/env.js";

/** Answers with a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/**
 * An HTTP server with bounded request times. Node 20 applies headersTimeout and
 * requestTimeout only while a request is being received (from its first byte), so they
 * do not cut idle keep-alive connections; those stay open 65 s, longer than a proxy in
 * front keeps them (60 s on AWS ALB): with Node's 5 s default the server can close a
 * socket just as a client reuses it, and that delivery fails with ECONNRESET. Expired
 * requests are found by a sweep, every second here rather than Node's 30 s. A connection
 * that never sends a request is closed after `timeout` of silence.
 */
export function listener(handle: (req: IncomingMessage, res: ServerResponse) => void, env: Pick<Env, "REQUEST_TIMEOUT_SECONDS" | "HEADERS_TIMEOUT_SECONDS">): Server {
  const requestTimeout = env.REQUEST_TIMEOUT_SECONDS * 1000;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(env.HEADERS_TIMEOUT_SECONDS * 1000, requestTimeout), connectionsCheckingInterval: 1000 }, handle);
  server.keepAliveTimeout = 65_000;
  server.timeout = 70_000;
  return server;
}

/** Listens and resolves with the port; a failure names `variable`, the setting to change. */
export async function listen(server: Server, port: number, host: string, variable: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is in use by another process" : error.code === "EACCES" ? "needs privileges this process lacks" : `cannot be listened on (${error.code ?? error.message})`;
      reject(new Error(`${variable}: ${port} on ${host} ${why}; set ${variable} (and HOST) to a free port`, { cause: error }));
    });
    server.listen(port, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}

/** The URL of a listening server (IPv6 hosts bracketed). */
export const urlOf = (hostname: string, port: number): string => `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
