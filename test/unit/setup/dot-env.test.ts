import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ensureTrailingNewline, updateDotEnv } from "../../../src/setup/dot-env.js";

let dir: string;
let path: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dot-env-"));
  path = join(dir, ".env");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.env = { ...saved };
});

describe("updateDotEnv (the setup flow's .env writer)", () => {
  it("ends the file with a newline, so a key appended with echo >> is read as its own", () => {
    updateDotEnv({ APP_ID: "123", PRIVATE_KEY: '"-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n"', WEBHOOK_SECRET: "devsecret" }, path);
    appendFileSync(path, "ANTHROPIC_API_KEY=sk-test\n");
    const parsed = parseEnv(readFileSync(path, "utf8"));
    expect(parsed).toEqual({ APP_ID: "123", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n", WEBHOOK_SECRET: "devsecret", ANTHROPIC_API_KEY: "sk-test" });
  });

  it("keeps every other line as it was and fills an empty key in place (a copy of .env.example)", () => {
    writeFileSync(path, "# GitHub App\nAPP_ID=\nPRIVATE_KEY=\nLOG_LEVEL=debug\nMULTI=\"a\nb\"");
    updateDotEnv({ APP_ID: "7", MULTI: "c" }, path);
    expect(readFileSync(path, "utf8")).toBe('# GitHub App\nAPP_ID=7\nPRIVATE_KEY=\nLOG_LEVEL=debug\nMULTI="a\nb"\nMULTI=c\n');
    expect(parseEnv(readFileSync(path, "utf8"))).toMatchObject({ APP_ID: "7", LOG_LEVEL: "debug", MULTI: "c" });
  });
});

describe("ensureTrailingNewline", () => {
  it("appends only the missing newline", () => {
    writeFileSync(path, 'WEBHOOK_SECRET="devsecret"');
    expect(ensureTrailingNewline(path)).toBe(true);
    expect(readFileSync(path, "utf8")).toBe('WEBHOOK_SECRET="devsecret"\n');
    expect(ensureTrailingNewline(path)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe('WEBHOOK_SECRET="devsecret"\n');
  });

  it("leaves an empty or missing file alone", () => {
    expect(ensureTrailingNewline(path)).toBe(false);
    writeFileSync(path, "");
    expect(ensureTrailingNewline(path)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe("");
  });
});
