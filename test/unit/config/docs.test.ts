import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import { configJsonSchema, configTable, rulesTable } from "../../../src/config/config-reference.js";
import { parseRepoConfig } from "../../../src/config/repo-config.js";

const section = (text: string, name: string) => text.slice(text.indexOf(`<!-- ${name}:start -->`) + `<!-- ${name}:start -->`.length + 1, text.indexOf(`<!-- ${name}:end -->`) - 1);

describe("docs generated from the code (npm run docs)", () => {
  const readme = readFileSync("README.md", "utf8");

  it("the README's settings and rule tables match the schema and the rule registry", () => {
    expect(section(readme, "config-table")).toBe(configTable());
    expect(section(readme, "rules-table")).toBe(rulesTable());
  });

  it("the editor JSON Schema matches, and agrees with the app's validation", () => {
    const shipped = JSON.parse(readFileSync("backend-agent.schema.json", "utf8"));
    expect(shipped).toEqual(configJsonSchema());
    const validate = new Ajv2020({ strict: false }).compile(shipped);
    const good = { paths: ["backend/**"], failOn: "medium", rules: { "sql-injection": "off" } };
    const bad = { failon: "high", rules: { "sql-injecton": "off" } };
    expect([validate(good), "config" in parseRepoConfig(good)]).toEqual([true, true]);
    expect([validate(bad), "config" in parseRepoConfig(bad)]).toEqual([false, false]);
  });
});

describe(".env.example", () => {
  it("lists every variable the server reads", async () => {
    const { envSchema } = await import("../../../src/config/env.js");
    const example = readFileSync(".env.example", "utf8");
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const keys = Object.keys(envSchema.shape);
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((k) => !listed.has(k))).toEqual([]);
  });

  it("copied as it is to .env, starts the server with the defaults (an empty value is unset)", async () => {
    const { loadEnv } = await import("../../../src/config/env.js");
    const env = loadEnv(parseEnv(readFileSync(".env.example", "utf8")));
    expect([env.APP_ID, env.LOG_FORMAT, env.ANTHROPIC_BASE_URL, env.REDIS_URL]).toEqual([undefined, undefined, undefined, undefined]);
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: "./data", PROCESS_ROLE: "all", WEBHOOK_PATH: "/api/github/webhooks" });
  });
});
