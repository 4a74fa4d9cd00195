/**
 * Process entry (`npm start`). With an App ID it serves webhooks and runs reviews;
 * without one it starts setup mode (src/setup/setup-mode.ts): Probot's flow that
 * registers the GitHub App from app.yml and writes its credentials to .env, with the
 * health routes answering meanwhile.
 */
import { existsSync } from "node:fs";
import { loadEnv, type Env } from "./config/env.js";
import { privateKeyProblem } from "./config/private-key.js";
import { modelMissing } from "./engine/providers/provider-settings.js";
import { startApp, type RunningApp } from "./app/start-app.js";
import { ensureTrailingNewline } from "./setup/dot-env.js";
import { setupModeMessage, startSetupMode } from "./setup/setup-mode.js";

async function main(): Promise<void> {
  let env: Env;
  // .env (written by the setup flow) fills in what the real environment leaves unset.
  if (existsSync(".env")) {
    // An older setup flow left it without a final newline: a line appended with `echo >>` would join the last value.
    if (ensureTrailingNewline(".env")) console.log("backend-agent: added the missing final newline to .env");
    process.loadEnvFile(".env");
  }
  try {
    env = loadEnv();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  if (!env.APP_ID) {
    console.log(setupModeMessage(env, process.env.NODE_ENV === "production"));
    try {
      await startSetupMode(env);
    } catch (error) {
      console.error(`backend-agent: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
    return;
  }
  // Probot would drop a key it cannot read and then say "privateKey option is required".
  const keyProblem = privateKeyProblem(env);
  if (keyProblem) {
    console.error(`Invalid environment: ${keyProblem}`);
    process.exit(1);
  }
  const missing = modelMissing(env);
  if (missing) {
    console.warn(`backend-agent: ${missing}: reviews will run the deterministic rules only and say so on each PR.`);
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
