/** Jest runs the TypeScript sources as native ESM through SWC (Probot 14 is ESM-only). */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "es6" },
        sourceMaps: "inline",
      },
    ],
  },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Starts Redis as .ci/run does (or says in one line that its tests skip); the teardown kills any process group a test left.
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  // Reviews wait on Octokit's write throttling (1-3 s a write): a multi-push test takes ~25 s alone. A test's
  // first review also waits for the app's worker threads to start (tsx, the provider's SDK): over 60 s was seen
  // with a CPU hog beside the suite. Only a failing test waits this long.
  testTimeout: 150_000,
  // Integration tests mostly wait on loopback I/O and Octokit's write throttling, not CPU.
  maxWorkers: 4,
  // A worker exits once its tests closed everything (only jest's pipes are left then), but on a
  // loaded machine that takes longer than jest's default 500 ms and jest reports "failed to exit gracefully".
  workerGracefulExitTimeout: 10_000,
};
