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
  // Reviews wait on Octokit's write throttling (1-3 s a write): a multi-push test takes ~25 s alone.
  testTimeout: 90_000,
  // Integration tests mostly wait on loopback I/O and Octokit's write throttling, not CPU.
  maxWorkers: 4,
};
