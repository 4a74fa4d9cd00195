/**
 * Process entry (`npm start`). With an App ID it serves webhooks and runs reviews;
 * without one it starts Probot's setup flow, which registers the GitHub App from
 * app.yml and writes its credentials to .env.
 */
import { existsSync } from "node:fs";
import { run } from "probot";
import { loadEnv, type Env } from "./config/env.js";
import { startApp, type RunningApp } from "./server.js";

function missingSetup(env: Env): string[] {
  const missing = [];
  if (!env.APP_ID) missing.push("APP_ID");
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH");
  if (!env.WEBHOOK_SECRET) missing.push("WEBHOOK_SECRET");
  if (!env.ANTHROPIC_API_KEY) missing.push("ANTHROPIC_API_KEY");
  return missing;
}

async function main(): Promise<void> {
  let env: Env;
  // .env (written by the setup flow) fills in what the real environment leaves unset.
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    env = loadEnv();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  if (!env.APP_ID) {
    console.log(
      [
        "backend-agent: no GitHub App configured yet.",
        `Set ${missingSetup(env).join(", ")} (see README.md and .env.example),`,
        `or register a new App now: open http://localhost:${env.PORT} and follow the steps; Probot writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env.`,
      ].join("\n"),
    );
    await run(() => undefined);
    return;
  }
  if (!env.ANTHROPIC_API_KEY) {
    console.warn("backend-agent: ANTHROPIC_API_KEY is not set: reviews will run the deterministic rules only and say so on each PR.");
  }
  let app: RunningApp;
  try {
    app = await startApp(env);
  } catch (error) {
    // What stops a start (port taken, DATA_DIR in use, agent file invalid) is said in one line, not a stack.
    console.error(`backend-agent: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.probot.log.info({ signal, graceMs: env.SHUTDOWN_GRACE_MS }, "stopping: no new jobs; finishing running reviews");
    // Past the grace period the process exits anyway: unfinished jobs stay in the queue and run at the next start.
    // Should closing the queue itself hang (a Redis that stopped answering), exit regardless.
    setTimeout(() => {
      app.probot.log.error({ signal }, "stop did not finish 10 s after the grace period; exiting");
      process.exit(1);
    }, env.SHUTDOWN_GRACE_MS + 10_000).unref();
    void app.stop(env.SHUTDOWN_GRACE_MS).then(
      () => {
        app.probot.log.info({ signal }, "stopped");
        process.exit(0);
      },
      (error: unknown) => {
        app.probot.log.error({ err: error }, "unclean stop");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

await main();
