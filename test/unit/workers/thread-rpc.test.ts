import { MessageChannel } from "node:worker_threads";
import { UserFacingError } from "../../../src/errors.js";
import { rpcClient, serveRpc } from "../../../src/workers/thread-rpc.js";

type Methods = {
  add(a: number, b: number): number;
  identity(): Promise<never>;
  github(): never;
};

describe("calls across a MessagePort (review thread ↔ main thread)", () => {
  const { port1, port2 } = new MessageChannel();
  serveRpc(port1, {
    add: (a: number, b: number) => a + b,
    identity: async () => {
      throw new UserFacingError("Could not read this app's identity from GitHub", "| a | table |");
    },
    github: () => {
      throw Object.assign(new Error("Not Found"), { name: "HttpError", status: 404, secret: "ghs_not_sent" });
    },
  });
  const client = rpcClient<Methods>(port2);
  afterAll(() => {
    port1.close();
    port2.close();
  });

  it("answers each call with its own result, calls overlapping", async () => {
    await expect(Promise.all([client.add(1, 2), client.add(3, 4)])).resolves.toEqual([3, 7]);
  });

  it("keeps a user-facing error user-facing, with its details, so the check shows its text", async () => {
    const error: unknown = await client.identity().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error).toMatchObject({ message: "Could not read this app's identity from GitHub", details: "| a | table |" });
  });

  it("keeps an error's name and HTTP status, and nothing else of it", async () => {
    const error: unknown = await client.github().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "HttpError", message: "Not Found", status: 404 });
    expect(error).not.toHaveProperty("secret");
  });

  it("rejects a method the other side does not serve", async () => {
    await expect((client as unknown as { nothing(): Promise<unknown> }).nothing()).rejects.toThrow("no method nothing on this port");
  });
});
