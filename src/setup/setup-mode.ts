/**
 * Setup mode: the process runs with no GitHub App configured (no APP_ID). It serves
 * Probot's registration flow (which writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to
 * .env) and, unlike Probot's `run`, answers /healthz, /readyz and /metrics with 200
 * "setup mode", so a container's health check passes while it waits to be configured.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Probot, Server } from "probot";
import type { Env } from "../config/env.js";
import { createJsonLogger } from "../log.js";
import { updateDotEnv } from "./dot-env.js";

/** The webhook URL in app.yml: a placeholder, replaced in the registration page by the real one when it is known. */
export const PLACEHOLDER_WEBHOOK_URL = "https://example.invalid/api/github/webhooks";
const SETUP_BODY = "setup mode: no GitHub App configured yet (APP_ID is not set); open / to register one, or set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET and restart\n";
// Probot needs some key to build its (unused) instance in setup mode, as in its own `run`.
const DUMMY_KEY = "dummy value for setup mode";

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
type SetupAppFactory = (options: { host: string; port: number; log: unknown; updateEnv: (values: Record<string, string>) => Record<string, string>; SmeeClient?: unknown }) => () => Promise<Handler>;

/** What the console says at a start in setup mode: what is required, what is optional, and where webhooks will come from. */
export function setupModeMessage(env: Env, production: boolean): string {
  const local = `http://localhost:${env.PORT}`;
  const lines = [
    "backend-agent: setup mode — no GitHub App is configured yet (APP_ID is not set).",
    "Required: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH to the .pem file) and WEBHOOK_SECRET.",
    "Optional: ANTHROPIC_API_KEY (without it reviews run the deterministic rules only and say so), REDIS_URL (shared queue for several processes; without it an embedded queue in DATA_DIR), and the rest of .env.example.",
    "/healthz, /readyz and /metrics answer 200 \"setup mode\" until then.",
  ];
  if (production) {
    lines.push(
      "NODE_ENV=production: the registration pages are off (they would let anyone who reaches this port write .env).",
      "Set the variables above and restart, or register the App once with NODE_ENV=development on a machine you control.",
    );
    return lines.join("\n");
  }
  lines.push(
    `To register a new App now: open ${local} and follow the steps; the App's credentials are written to .env. Then restart.`,
    "GitHub must reach the App's webhook URL. Either:",
    `  - on a public server: open the setup page through its public URL (https://your.host/…); the App is registered with https://your.host${env.WEBHOOK_PATH};`,
    `  - on this machine: open https://smee.io/new, put WEBHOOK_PROXY_URL=<the channel URL> in .env before registering (the App is registered with it),`,
    `    and keep \`npx smee-client -u <the channel URL> -t http://localhost:${env.PORT}${env.WEBHOOK_PATH}\` running beside \`npm start\`.`,
    `  Without either, the App is registered with the placeholder ${PLACEHOLDER_WEBHOOK_URL}: change it later in the App's settings.`,
  );
  if (!process.env.WEBHOOK_PROXY_URL) lines.push("(Probot's \"SmeeClient is not available\" meant just this: no smee.io channel was created for you.)");
  return lines.join("\n");
}

/** Answers the health routes in setup mode; anything else is left to the next handler. */
export const setupModeHealth: Handler = (req, res) => {
  const path = (req.url ?? "").split("?")[0];
  if (req.method !== "GET" || (path !== "/healthz" && path !== "/readyz" && path !== "/metrics")) return false;
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(SETUP_BODY);
  return true;
};

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/** The webhook URL to register for a request to the setup page, or undefined when GitHub could not reach it (loopback, no proxy). */
export function webhookUrlFor(req: IncomingMessage, env: Env): string | undefined {
  const proxy = process.env.WEBHOOK_PROXY_URL;
  if (proxy) return safeUrl(proxy);
  const header = (name: string) => String(req.headers[name] ?? "").split(",")[0]?.trim() ?? "";
  const host = header("x-forwarded-host") || header("host");
  if (!host || LOOPBACK.test(host)) return undefined;
  const protocol = header("x-forwarded-proto") === "https" ? "https" : "http";
  return safeUrl(`${protocol}://${host}${env.WEBHOOK_PATH}`);
}

/** `url` when it is an http(s) URL that cannot break out of the page's quoted HTML attribute. */
function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) && !/['"<>&\s]/.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Shows the real webhook URL on Probot's pages: the registration manifest carries
 * app.yml's placeholder, and the import page's "Replace your app's Webhook URL with"
 * is blank without WEBHOOK_PROXY_URL.
 */
function webhookUrlRewriter(env: Env): Handler {
  return (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || (path !== "/probot" && path !== "/probot/import")) return false;
    const url = webhookUrlFor(req, env);
    const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === "string") {
        chunk = url
          ? chunk.replaceAll(PLACEHOLDER_WEBHOOK_URL, url).replace("<b></b>", `<b>${url}</b>`)
          : chunk.replace("<b></b>", `<b>https://your.public.host${env.WEBHOOK_PATH}, or a smee.io channel (see the console)</b>`);
      }
      return end(chunk, ...rest);
    }) as typeof res.end;
    return false;
  };
}

/** Probot's registration flow. Not in Probot's exports: loaded from its package by path (Probot 14). */
async function loadSetupAppFactory(): Promise<SetupAppFactory> {
  const module = (await import(new URL("./apps/setup.js", import.meta.resolve("probot")).href)) as { setupAppFactory: SetupAppFactory };
  return module.setupAppFactory;
}

/** The running setup-mode server. */
export interface SetupServer {
  port: number;
  stop(): Promise<void>;
}

/** Starts setup mode on HOST:PORT. */
export async function startSetupMode(env: Env): Promise<SetupServer> {
  const production = process.env.NODE_ENV === "production";
  const probot = new Probot({
    appId: 1,
    privateKey: DUMMY_KEY,
    log: createJsonLogger(env),
    logLevel: env.LOG_LEVEL === "silent" ? "fatal" : env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (production ? "json" : "pretty"),
  });
  await probot.ready();
  const log = probot.log;
  const server = new Server({
    host: env.HOST,
    port: env.PORT,
    webhookPath: env.WEBHOOK_PATH,
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: DUMMY_KEY, log }),
  });
  server.addHandler(setupModeHealth);
  if (production) {
    server.addHandler((req, res) => {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end(`${SETUP_BODY}(registration pages are off with NODE_ENV=production)\n`);
      return true;
    });
  } else {
    server.addHandler(webhookUrlRewriter(env));
    // Without a channel URL, Probot tries to fetch smee-client with npx and warns "SmeeClient is not available"; the start message explains the choice instead.
    process.env.NO_SMEE_SETUP ??= "true";
    const setupAppFactory = await loadSetupAppFactory();
    const setupLog = log.child({ name: "setup" });
    const info = setupLog.info.bind(setupLog);
    // Probot's welcome lines say custom routes do not work and name a port that may be wrong; our start message replaces them.
    setupLog.info = ((...args: Parameters<typeof info>) => {
      if (typeof args[0] === "string" && args[0].includes("has been set up")) info("the App's credentials are in .env: restart (npm start) to serve webhooks");
      else if (typeof args[0] !== "string") info(...args);
    }) as typeof setupLog.info;
    await server.loadHandlerFactory(
      setupAppFactory({ host: env.HOST, port: env.PORT, log: setupLog, updateEnv: (values) => updateDotEnv(values) }) as Parameters<Server["loadHandlerFactory"]>[0],
    );
  }
  await server.start();
  log.info({ port: server.port, mode: "setup" }, "backend-agent listening in setup mode");
  return { port: server.port, stop: () => server.stop() };
}
