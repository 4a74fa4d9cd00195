/**
 * What a newcomer sees from `npm start` before the GitHub App exists, and from a bad
 * key: the app as a real process, in a fresh folder holding what a clone has there
 * (app.yml, package.json) and the .env under test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { waitFor } from "../support/app-harness.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs")).href;

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

const running: Run[] = [];
const dirs: string[] = [];
afterEach(async () => {
  // The process group: the app and anything it started, also when a test failed.
  for (const run of running.splice(0)) {
    try {
      process.kill(-(run.child.pid ?? 0), "SIGKILL");
    } catch {
      // already gone
    }
    await run.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshFolder(dotEnv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "backend-agent-setup-"));
  dirs.push(dir);
  copyFileSync(join(ROOT, "app.yml"), join(dir, "app.yml"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  if (dotEnv !== undefined) writeFileSync(join(dir, ".env"), dotEnv);
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function start(cwd: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "src/main.ts")], {
    cwd,
    detached: true,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", LOG_FORMAT: "json", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const run = { child, out: () => out, exited };
  running.push(run);
  return run;
}

async function startSetupMode(cwd: string, env: Record<string, string> = {}, attempts = 3): Promise<{ run: Run; url: string }> {
  const port = await freePort();
  const run = start(cwd, { PORT: String(port), ...env });
  let gone = false;
  void run.exited.then(() => (gone = true));
  try {
    await waitFor(() => {
      if (gone) throw new Error(`exited before listening:\n${run.out()}`);
      return run.out().includes("backend-agent listening in setup mode") ? true : undefined;
    }, "the app to listen in setup mode", 60_000);
  } catch (error) {
    // The free port was taken by another test file's process between the probe and the app's listen: another port.
    if (attempts > 1 && run.out().includes("is already in use")) return startSetupMode(cwd, env, attempts - 1);
    throw error;
  }
  return { run, url: `http://127.0.0.1:${port}` };
}

it("answers the health routes with 200 'setup mode' and says what is required and what is optional", async () => {
  const { run, url } = await startSetupMode(freshFolder());
  for (const path of ["/healthz", "/readyz", "/metrics"]) {
    const response = await fetch(url + path);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    expect(await response.text()).toContain("setup mode");
  }
  // The registration flow is still there.
  expect((await fetch(`${url}/probot`)).status).toBe(200);

  const out = run.out();
  expect(out).toMatch(/Required: APP_ID, PRIVATE_KEY \(or PRIVATE_KEY_PATH[^\n]*\) and WEBHOOK_SECRET/);
  expect(out).toMatch(/Optional: ANTHROPIC_API_KEY \(without it reviews run the deterministic rules only/);
  expect(out).toContain("WEBHOOK_PROXY_URL");
  expect(out).toContain("https://smee.io/new");
  expect(out).not.toContain('"msg":"SmeeClient is not available"');
  expect(out).not.toContain("custom routes will not work");
});

it("registers the App with the webhook URL it is reached at, not app.yml's placeholder", async () => {
  const { url } = await startSetupMode(freshFolder());
  const page = await (await fetch(`${url}/probot`, { headers: { "x-forwarded-host": "bot.example.com", "x-forwarded-proto": "https" } })).text();
  expect(page).toContain('"hook_attributes":{"url":"https://bot.example.com/api/github/webhooks"}');
  expect(page).not.toContain("example.invalid");

  const proxied = await startSetupMode(freshFolder(), { WEBHOOK_PROXY_URL: "https://smee.io/abc123" });
  const imported = await (await fetch(`${proxied.url}/probot/import`)).text();
  expect(imported).toContain("<b>https://smee.io/abc123</b>");
});

it("keeps the registration pages off with NODE_ENV=production, and stays healthy", async () => {
  const { run, url } = await startSetupMode(freshFolder(), { NODE_ENV: "production" });
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const page = await fetch(`${url}/probot`);
  expect(page.status).toBe(503);
  expect(await page.text()).toContain("NODE_ENV=production");
  expect(run.out()).toContain("registration pages are off");
});

it("adds the missing final newline to .env at start, values unchanged, so a line appended with echo >> stays its own", async () => {
  const dir = freshFolder('WEBHOOK_SECRET="devsecret"');
  await startSetupMode(dir);
  expect(readFileSync(join(dir, ".env"), "utf8")).toBe('WEBHOOK_SECRET="devsecret"\n');
});

it("names PRIVATE_KEY when it is not a PEM key, and never prints the value", async () => {
  const run = start(freshFolder(), { APP_ID: "4242", PRIVATE_KEY: "notapem", WEBHOOK_SECRET: "s", PORT: "0" });
  expect(await run.exited).toBe(1);
  expect(run.out()).toContain("PRIVATE_KEY: is not a PEM private key");
  expect(run.out()).not.toContain("privateKey option is required");
  expect(run.out()).not.toContain("notapem");
});

it("starts past the key check with a real PEM key (a PRIVATE_KEY_PATH file)", async () => {
  const dir = freshFolder();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  writeFileSync(join(dir, "app.pem"), privateKey);
  // No agent file in this folder: the start gets past the key and stops on the next thing it needs.
  const run = start(dir, { APP_ID: "4242", PRIVATE_KEY_PATH: "app.pem", WEBHOOK_SECRET: "s", PORT: "0" });
  expect(await run.exited).toBe(1);
  expect(run.out()).not.toContain("PRIVATE_KEY");
  expect(run.out()).toContain("agents/backend-agent.md");
});
