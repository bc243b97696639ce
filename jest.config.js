/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testTimeout: 60000,
  // Each suite evaluates the whole program several times under the mock runtime.
  maxWorkers: 2,
};
