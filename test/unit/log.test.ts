import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createJsonLogger } from "../../src/log.js";

const LOG_MODULE = fileURLToPath(new URL("../../src/log.ts", import.meta.url));

/** Runs a process that logs through createJsonLogger and exits at once; returns its stdout lines. */
function logLines(script: string, env: Record<string, string> = {}): Array<Record<string, unknown>> {
  const code = `import { createJsonLogger } from ${JSON.stringify(LOG_MODULE)};\n${script}`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  expect(result.stderr).toBe("");
  return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("createJsonLogger", () => {
  it("leaves pretty output, and Sentry reporting, to Probot's own logger", () => {
    expect(createJsonLogger({ LOG_FORMAT: undefined, LOG_LEVEL: "info" }, {})).toBeUndefined();
    expect(createJsonLogger({ LOG_FORMAT: "pretty", LOG_LEVEL: "info" }, {})).toBeUndefined();
    expect(createJsonLogger({ LOG_FORMAT: "json", LOG_LEVEL: "info" }, { SENTRY_DSN: "https://key@sentry.example/1" })).toBeUndefined();
  });

  it("writes one JSON line per entry to stdout, at the level set, and loses none when the process exits right after", () => {
    const lines = logLines(`
      const log = createJsonLogger({ LOG_FORMAT: "json", LOG_LEVEL: "info" }).child({ name: "probot" });
      log.debug("not at this level");
      for (let i = 0; i < 500; i++) log.info({ job: "d-" + i }, "review queued");
      process.exit(0);
    `);
    expect(lines).toHaveLength(500);
    expect(lines[0]).toMatchObject({ level: 30, name: "probot", job: "d-0", msg: "review queued" });
    expect(lines.at(-1)).toMatchObject({ job: "d-499" });
  });

  it("follows Probot's LOG_MESSAGE_KEY and LOG_LEVEL_IN_STRING", () => {
    const [line] = logLines(`createJsonLogger({ LOG_FORMAT: "json", LOG_LEVEL: "warn" }).warn("queue error");`, {
      LOG_MESSAGE_KEY: "message",
      LOG_LEVEL_IN_STRING: "true",
    });
    expect(line).toMatchObject({ level: "warn", message: "queue error" });
    expect(line).not.toHaveProperty("msg");
  });
});
