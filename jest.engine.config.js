/**
 * The real-engine suite (`npm run test:engine`): the Pulumi CLI and the real providers preview both
 * stacks and run `up` → `destroy` → `up` of the dev stack against podman's Docker API. One worker:
 * it owns the podman service, the published ports and the stack's container names.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test/engine"],
  testTimeout: 40 * 60 * 1000,
  maxWorkers: 1,
};
