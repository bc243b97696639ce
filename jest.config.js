/** @type {import('jest').Config} */
module.exports = {
  // ts-jest transpiles each file alone, without type-checking, because tsconfig.json sets
  // isolatedModules (type-checking cost over a second of CPU per test file, on a cold cache as in
  // CI and also on a warm one); `npm run typecheck` checks every file first, and tsc with
  // isolatedModules refuses any file that would transpile differently alone.
  preset: "ts-jest",
  testEnvironment: "node",
  // Each component's test lies beside it (components/**/*.test.ts); the rest are under test/.
  roots: ["<rootDir>/test", "<rootDir>/components"],
  // The registry and real-services suites have their own configs (jest.registry.config.js,
  // jest.e2e.config.js, jest.engine.config.js, jest.review.config.js): they download and start real software, this one
  // stays fast.
  testPathIgnorePatterns: [
    "/node_modules/",
    "<rootDir>/test/registry/",
    "<rootDir>/test/e2e/",
    "<rootDir>/test/engine/",
    "<rootDir>/test/review/",
  ],
  testTimeout: 60000,
  // Each suite evaluates the whole program several times under the mock runtime.
  maxWorkers: 2,
};
