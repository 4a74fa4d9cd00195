import type { MessagePort, TransferListItem } from "node:worker_threads";
import { UserFacingError } from "../errors.js";

/** Results to be moved, not copied, across the port: the value and what in it to transfer. */
const transfers = new WeakMap<object, TransferListItem[]>();

/**
 * Marks a method's result so that `list` (ArrayBuffers in it) is transferred to the caller's
 * thread instead of cloned: a large GitHub answer crosses without a copy, and the sending side
 * must not use those buffers again. In-process callers get the value as it is.
 */
export function transferring<T extends object>(value: T, list: readonly (ArrayBuffer | undefined)[]): T {
  const kept = list.filter((item): item is ArrayBuffer => item !== undefined && item.byteLength > 0);
  if (kept.length > 0) transfers.set(value, kept);
  return value;
}

/** Methods one side of a port offers the other: each takes and returns structured-cloneable data. */
export type RpcMethods = Record<string, (...args: never[]) => unknown>;

/** `Methods` as the other side calls them: every result is a promise. */
export type RpcClient<Methods extends RpcMethods> = { [K in keyof Methods]: (...args: Parameters<Methods[K]>) => Promise<Awaited<ReturnType<Methods[K]>>> };

type Request = { id: number; method: string; args: unknown[] };
type Reply = { id: number; result?: unknown; error?: WireError };

/** An error as it crosses a port: what callers branch on (name, status, the user-facing text), never a stack or a cause with secrets. */
interface WireError {
  name: string;
  message: string;
  status?: number | undefined;
  details?: string | undefined;
}

function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const status = (error as { status?: unknown }).status;
  return { name: error.name, message: error.message, status: typeof status === "number" ? status : undefined, details: error instanceof UserFacingError ? error.details : undefined };
}

/** The error again on the calling side: a {@link UserFacingError} stays one (its text is shown on the PR), `status` is kept. */
function fromWire(wire: WireError): Error {
  if (wire.name === "UserFacingError") return new UserFacingError(wire.message, wire.details);
  const error = Object.assign(new Error(wire.message), wire.status === undefined ? {} : { status: wire.status });
  error.name = wire.name;
  return error;
}

/**
 * Answers the calls arriving on `port` with `methods`. The port is the only link
 * between a review thread and the main thread: whatever is shared (GitHub tokens and
 * throttling, spend, heads, the check-run registry) is served here, on the main side.
 */
export function serveRpc(port: MessagePort, methods: RpcMethods): void {
  port.on("message", (request: Request) => {
    const method = Object.hasOwn(methods, request.method) ? (methods[request.method] as (...args: unknown[]) => unknown) : undefined;
    void (async () => {
      try {
        if (!method) throw new Error(`no method ${request.method} on this port`);
        const result = await method(...request.args);
        const list = typeof result === "object" && result !== null ? transfers.get(result) : undefined;
        port.postMessage({ id: request.id, result } satisfies Reply, list ?? []);
      } catch (error) {
        port.postMessage({ id: request.id, error: toWire(error) } satisfies Reply);
      }
    })();
  });
}

/** Calls the methods served on the other end of `port`. */
export function rpcClient<Methods extends RpcMethods>(port: MessagePort): RpcClient<Methods> {
  let next = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  port.on("message", (reply: Reply) => {
    const call = pending.get(reply.id);
    if (!call) return;
    pending.delete(reply.id);
    if (reply.error) call.reject(fromWire(reply.error));
    else call.resolve(reply.result);
  });
  // Only waiting calls keep the thread's event loop alive on this port.
  port.unref();
  const call = (method: string, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      if (pending.size === 1) port.ref();
      port.postMessage({ id, method, args } satisfies Request);
    }).finally(() => {
      if (pending.size === 0) port.unref();
    });
  return new Proxy({} as RpcClient<Methods>, { get: (_, method) => (typeof method === "string" ? (...args: unknown[]) => call(method, args) : undefined) });
}
