/**
 * `backend-agent doctor` as a user runs it: the real CLI process, in a directory with
 * a `.env`, against the loopback fake GitHub (which checks the App JWT's signature and
 * App ID like GitHub) and the fake Anthropic API (`GET /v1/models`).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeAnthropic } from "../support/fake-anthropic.js";
import { FakeGitHub } from "../support/fake-github.js";
import { git, runCli, type CliRun } from "./cli-harness.js";

const API_KEY = "sk-ant-doctor-test-key-never-printed";
const SECRET = "doctor-webhook-secret-never-printed";
const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

let github: FakeGitHub;
let anthropic: FakeAnthropic;
let dir: string;

beforeAll(async () => {
  github = await FakeGitHub.start({ app: { id: 1, publicKey } });
  anthropic = await FakeAnthropic.start();
  anthropic.apiKey = API_KEY;
});
afterAll(async () => {
  await github?.stop();
  await anthropic?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "backend-agent-doctor-"));
  writeFileSync(join(dir, "app.pem"), privateKey);
  anthropic.reset();
  github.requests.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A `.env` as the setup flow and a user would leave it, with `overrides` replacing or removing (undefined) lines. */
function dotenv(overrides: Record<string, string | undefined> = {}): string {
  const values: Record<string, string | undefined> = {
    APP_ID: "1",
    PRIVATE_KEY_PATH: join(dir, "app.pem"),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    DATA_DIR: join(dir, "data"),
    ...overrides,
  };
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${value}\n`)
    .join("");
}

/** Runs the doctor in `dir`; the test process's own REDIS_URL (CI) must not decide the outcome. */
function doctor(args: string[] = []): Promise<CliRun> {
  return runCli(dir, ["doctor", ...args], { REDIS_URL: "", GIT_CEILING_DIRECTORIES: tmpdir() });
}

const lines = (run: CliRun) => run.stdout.trimEnd().split("\n");
const line = (run: CliRun, label: string) => lines(run).find((l) => l.slice(2).startsWith(`${label}: `));

function expectNoSecrets(run: CliRun): void {
  for (const secret of [API_KEY, SECRET, "BEGIN RSA PRIVATE KEY", privateKey.split("\n")[1] ?? "-"]) {
    expect(run.stdout + run.stderr).not.toContain(secret);
  }
}

describe("backend-agent doctor", () => {
  it("passes every check of a good setup, with one line each, and calls no paid endpoint", async () => {
    writeFileSync(join(dir, ".env"), dotenv());
    git(dir, "init", "-q");
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github/backend-agent.yml"), "paths: ['backend/**']\nfailOn: critical\n");
    const run = await doctor();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(line(run, "GitHub App")).toBe(`✓ GitHub App: GET ${github.url}/api/v3/app as App 1: app "backend-agent"`);
    expect(line(run, "model key")).toBe(`✓ model key: ANTHROPIC_API_KEY accepted by ${anthropic.url.slice("http://".length)} (3 models listed)`);
    expect(line(run, "private key")).toBe(`✓ private key: PRIVATE_KEY_PATH (${join(dir, "app.pem")}) is an RSA private key (2048 bits)`);
    expect(line(run, "DATA_DIR")).toMatch(/^✓ DATA_DIR: .*data does not exist yet; the server creates it \(mode 0700\)$/);
    expect(line(run, "repo config")).toMatch(/^✓ repo config: .*\.github\/backend-agent\.yml is valid$/);
    expect(line(run, "Redis")).toBe("- Redis: REDIS_URL is not set: the embedded queue in DATA_DIR is used");
    expect(lines(run).filter((l) => /^[✗!]/.test(l))).toEqual([]);
    expect(lines(run).at(-1)).toBe("doctor: every required check passed");
    expect(anthropic.modelsRequests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(0);
    expectNoSecrets(run);
  });

  it("finds a value that swallowed the next variable (`echo >>` onto a .env without a final newline)", async () => {
    const setup = dotenv({ ANTHROPIC_API_KEY: undefined, WEBHOOK_SECRET: undefined }) + `WEBHOOK_SECRET=${SECRET}`;
    writeFileSync(join(dir, ".env"), `${setup}ANTHROPIC_API_KEY=${API_KEY}\n`);
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(line(run, ".env")).toBe(
      `✗ .env: line 7: WEBHOOK_SECRET's value runs into "ANTHROPIC_API_KEY=": two lines were joined (an \`echo >>\` onto a file without a final newline), so ANTHROPIC_API_KEY is not set; put ANTHROPIC_API_KEY=… on a line of its own and check WEBHOOK_SECRET`,
    );
    expect(line(run, "env")).toBeUndefined();
    expect(line(run, "model key")).toMatch(/^! model key: ANTHROPIC_API_KEY is not set: reviews run the deterministic rules only/);
    expect(lines(run).at(-1)).toBe("doctor: 1 check failed");
    expectNoSecrets(run);
  });

  it("finds a variable glued to the closing quote of a multi-line PEM, and reads the PEM's own lines as the key", async () => {
    const setup = dotenv({ PRIVATE_KEY_PATH: undefined, ANTHROPIC_API_KEY: undefined }) + `PRIVATE_KEY="${privateKey.trimEnd()}"`;
    writeFileSync(join(dir, ".env"), `${setup}ANTHROPIC_API_KEY=${API_KEY}\n`);
    const run = await doctor();
    expect(run.code).toBe(1);
    const last = setup.split("\n").length;
    expect(lines(run).filter((l) => l.startsWith("✗"))).toEqual([expect.stringMatching(new RegExp(`^✗ \\.env: line ${last}: PRIVATE_KEY's value runs into "ANTHROPIC_API_KEY="`))]);
    expect(line(run, "private key")).toBe("✓ private key: PRIVATE_KEY is an RSA private key (2048 bits)");
    expectNoSecrets(run);
  });

  it("warns when .env has no final newline, before anything is appended", async () => {
    writeFileSync(join(dir, ".env"), dotenv().trimEnd());
    const run = await doctor();
    expect(run.code).toBe(0);
    expect(lines(run)).toContain("! .env: does not end with a newline: a line appended with `echo … >> .env` would join the last value; add a newline at its end");
  });

  it("fails a PRIVATE_KEY that is not a PEM, without sending a request to GitHub", async () => {
    writeFileSync(join(dir, ".env"), dotenv({ PRIVATE_KEY_PATH: undefined, PRIVATE_KEY: "notapem" }));
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(line(run, "private key")).toMatch(/^✗ private key: PRIVATE_KEY is not a PEM private key .*set PRIVATE_KEY_PATH to the file$/);
    expect(line(run, "GitHub App")).toBe("- GitHub App: needs a valid private key (see above)");
    expect(github.requests).toHaveLength(0);
    expect(run.stdout).not.toContain("notapem");
  });

  it("fails a wrong App ID with GitHub's 401 and what to do (an inline key with \\n escapes is read like Probot reads it)", async () => {
    const inline = privateKey.trimEnd().replace(/\n/g, "\\n");
    writeFileSync(join(dir, ".env"), dotenv({ APP_ID: "2", PRIVATE_KEY_PATH: undefined, PRIVATE_KEY: `"${inline}"` }));
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(line(run, "private key")).toBe("✓ private key: PRIVATE_KEY is an RSA private key (2048 bits)");
    expect(line(run, "GitHub App")).toBe(
      `✗ GitHub App: GET ${github.url}/api/v3/app answered 401 (A JSON web token could not be decoded): APP_ID 2 and the private key do not match; copy the App ID from the App's settings page and use a key generated there (and check this machine's clock)`,
    );
    expect(lines(run).filter((l) => l.startsWith("✗"))).toHaveLength(1);
    expectNoSecrets(run);
  });

  it("fails a model key the API refuses, naming the host", async () => {
    writeFileSync(join(dir, ".env"), dotenv({ ANTHROPIC_API_KEY: "sk-ant-revoked" }));
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(line(run, "model key")).toMatch(new RegExp(`^✗ model key: ${anthropic.url.slice("http://".length)} refused ANTHROPIC_API_KEY \\(401\\); create a key at`));
    expect(run.stdout).not.toContain("sk-ant-revoked");
  });

  it("warns, without failing, about a DATA_DIR other accounts can read; fails a --config with unknown settings", async () => {
    mkdirSync(join(dir, "data"));
    chmodSync(join(dir, "data"), 0o755);
    writeFileSync(join(dir, ".env"), dotenv());
    writeFileSync(join(dir, "settings.yml"), "paths: ['backend/**']\nfailon: high\n");
    const good = await doctor();
    expect(good.code).toBe(0);
    expect(line(good, "DATA_DIR")).toBe(`! DATA_DIR: writable, but other accounts may read queued jobs: ${join(dir, "data")} has mode 755 (chmod 700 ${join(dir, "data")})`);
    const bad = await doctor(["--config", "settings.yml"]);
    expect(bad.code).toBe(1);
    expect(line(bad, "repo config")).toBe(`✗ repo config: ${join(dir, "settings.yml")}: failon: unknown setting (the App reports these on the PR's check run)`);
  });
});
