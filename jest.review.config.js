/**
 * The peer review suite: kube-score and checkov over the k8s stack's objects as the program renders
 * them, every finding either fixed or listed with its reason in test/review/exceptions.yaml.
 * scripts/review-tools.sh builds and installs both (cached), so a warm run is quick.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test/review"],
  testTimeout: 20 * 60 * 1000,
  maxWorkers: 1,
};
