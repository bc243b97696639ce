/**
 * The registry suite: what the images pin (the Python lock, the proxy's npm lock, the jars)
 * resolved and checked against the real registries. Downloads are cached under
 * ~/.cache/dataflow-lab, so a warm run is quick.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test/registry"],
  testTimeout: 40 * 60 * 1000,
  maxWorkers: 1,
};
