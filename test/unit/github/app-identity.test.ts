import pino from "pino";
import { appIdentityGetter, isOwnLogin, type AppIdentity } from "../../../src/github/app-identity.js";
import { UserFacingError } from "../../../src/errors.js";

const IDENTITY: AppIdentity = { appId: 1, slug: "backend-agent", botLogin: "backend-agent[bot]" };
const log = pino({ level: "silent" });
const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

describe("the app's identity", () => {
  it("is read once per process", async () => {
    let calls = 0;
    const get = appIdentityGetter(async () => (calls++, IDENTITY), log, 1);
    expect(await Promise.all([get(), get()])).toEqual([IDENTITY, IDENTITY]);
    expect(await get()).toEqual(IDENTITY);
    expect(calls).toBe(1);
  });

  it("retries a failed read, and after three failures says so in words a check summary can show; the next call tries again", async () => {
    let calls = 0;
    let failing = true;
    const get = appIdentityGetter(async () => {
      calls++;
      if (failing) throw httpError(502);
      return IDENTITY;
    }, log, 1);
    const error = await get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserFacingError);
    expect((error as Error).message).toContain("Could not read this app's identity from GitHub (`GET /app`: HTTP 502)");
    expect(calls).toBe(3);
    failing = false;
    expect(await get()).toEqual(IDENTITY);
    expect(calls).toBe(4);
  });

  it("recognises only its own bot login (any case), not other bots", () => {
    expect(isOwnLogin(IDENTITY, "Backend-Agent[bot]")).toBe(true);
    expect(isOwnLogin(IDENTITY, "backend-agent")).toBe(false);
    expect(isOwnLogin(IDENTITY, "other-app[bot]")).toBe(false);
    expect(isOwnLogin(IDENTITY, undefined)).toBe(false);
  });
});
