/**
 * The services some tests need, as the global setup (test/support/global-setup.ts)
 * found or started them. Tests that need Redis use `REDIS_URL` and `describeWithRedis`:
 * without Redis they are skipped (the setup printed one line saying so) instead of
 * hanging on a connection that never comes.
 */

/** Redis for the tests: `TEST_REDIS_URL`, else the local server `.ci/run` starts. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Set by the global setup to "up", or to why Redis is missing. */
export const REDIS_STATE_VARIABLE = "BACKEND_AGENT_TEST_REDIS";

/** Whether Redis answered the global setup (true when the setup did not run, as before it existed). */
export const redisUp = (process.env[REDIS_STATE_VARIABLE] ?? "up") === "up";

/** `describe` when Redis is up, `describe.skip` when it is not. */
export const describeWithRedis: jest.Describe = redisUp ? describe : describe.skip;
