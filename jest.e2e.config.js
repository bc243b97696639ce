/**
 * The real-services suite (`npm run e2e`): the lab's services started as local processes from the
 * program's own wiring, and the lab's scenario run through them. Slow by nature: one worker, long
 * timeouts; installs are cached under ~/.cache/dataflow-lab.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test/e2e"],
  testTimeout: 40 * 60 * 1000,
  maxWorkers: 1,
  // Each test's duration in the log: where the suite's time goes (the notebooks' cells are in
  // e2e-report/notebooks.json).
  verbose: true,
};
