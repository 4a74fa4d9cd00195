import { loadEnv } from "../../../src/config/env.js";
import { DEFAULT_SETTINGS, effectiveSettings, parseRepoConfig } from "../../../src/config/repo-config.js";

describe("environment", () => {
  it("starts with no variables at all (setup mode) and fills the defaults", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: "localhost", WEBHOOK_PATH: "/api/github/webhooks", REVIEW_CONCURRENCY: 2, DEFAULT_MODEL: "sonnet" });
  });

  it("names each bad variable on one line and never echoes a value", () => {
    const attempt = () => loadEnv({ APP_ID: "12ab", PORT: "http", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----sekrit" });
    expect(attempt).toThrow(/^Invalid environment: APP_ID: must be the numeric App ID.*; PORT: .*expected number/);
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain("sekrit");
      expect(String(error).split("\n")).toHaveLength(1);
    }
  });

  it("requires a private key and webhook secret once an App ID is set", () => {
    expect(() => loadEnv({ APP_ID: "1", WEBHOOK_SECRET: "s" })).toThrow(/PRIVATE_KEY: is required with APP_ID/);
    expect(loadEnv({ APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY_PATH: "key.pem" }).APP_ID).toBe("1");
  });

  it("takes only a redis:// or rediss:// REDIS_URL, which ioredis would otherwise retry for ever", () => {
    expect(() => loadEnv({ REDIS_URL: "http://cache:6379" })).toThrow("Invalid environment: REDIS_URL: must be a redis:// or rediss:// URL");
    expect(loadEnv({ REDIS_URL: "rediss://:secret@cache:6380/1" }).REDIS_URL).toBe("rediss://:secret@cache:6380/1");
  });
});

describe("repository settings", () => {
  it("treats a missing or empty file as all defaults", () => {
    const result = parseRepoConfig(null);
    expect(result).toEqual({ config: {} });
    expect(effectiveSettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it("lists every problem, unknown keys included, instead of throwing", () => {
    const result = parseRepoConfig({ failon: "high", maxComments: -1, paths: "backend/**", onError: "explode" });
    expect("problems" in result && result.problems).toEqual([
      { key: "paths", message: expect.stringMatching(/expected array/) },
      { key: "onError", message: expect.stringMatching(/neutral.*failure/) },
      { key: "maxComments", message: expect.stringMatching(/>=0/) },
      { key: "failon", message: "unknown setting" },
    ]);
  });

  it("layers defaults, then the agent's keys, then the repository's file", () => {
    const settings = effectiveSettings({ failOn: "medium", paths: ["api/**"] }, { failOn: "critical" });
    expect(settings).toMatchObject({ failOn: "critical", paths: ["api/**"], onIncomplete: "failure", maxComments: 25 });
  });

  it("fails closed by default, and reads the deprecated onError only where onIncomplete is not set", () => {
    expect(DEFAULT_SETTINGS.onIncomplete).toBe("failure");
    expect(effectiveSettings({ onError: "neutral" }).onIncomplete).toBe("neutral");
    expect(effectiveSettings({ onError: "neutral", onIncomplete: "failure" }).onIncomplete).toBe("failure");
    // The repository's file wins over the agent's front matter, whichever of the two keys each uses.
    expect(effectiveSettings({ onIncomplete: "neutral" }, { onError: "failure" }).onIncomplete).toBe("failure");
    expect(effectiveSettings({ onIncomplete: "neutral" }, {}).onIncomplete).toBe("neutral");
    expect(effectiveSettings({ onError: "neutral" })).not.toHaveProperty("onError");
    const bad = parseRepoConfig({ onIncomplete: "success" });
    expect("problems" in bad && bad.problems).toEqual([{ key: "onIncomplete", message: expect.stringMatching(/failure.*neutral/) }]);
  });
});

describe("rule overrides", () => {
  it("accepts rule ids and families, and names a typo", () => {
    expect(parseRepoConfig({ rules: { "sql-injection": "off", "celery/no-retry-network": "medium" } })).toEqual({
      config: { rules: { "sql-injection": "off", "celery/no-retry-network": "medium" } },
    });
    const result = parseRepoConfig({ rules: { "sql-injecton": "off", "code-execution/eval": "loud" } });
    expect("problems" in result && result.problems).toEqual([
      { key: "rules.sql-injecton", message: expect.stringContaining("is not a rule id or family") },
      { key: "rules.code-execution/eval", message: expect.stringMatching(/expected one of "off"\|"critical"/) },
    ]);
  });
});
