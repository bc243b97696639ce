/** The name and reference formats the config schema checks, one rule at a time. */
import * as is from "../components/config/formats";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("config formats", () => {
  it.each<[string, boolean]>([
    ["postgres:16.9-bookworm", true],
    [`postgres@${DIGEST}`, true],
    [`postgres:16.9@${DIGEST}`, true],
    ["localhost:5001/dataflow-lab-lab-runtime:0123456789ab", true],
    ["postgres", false],
    ["postgres:latest", false],
    ["postgres:16.9@sha256:abc", false],
    [`postgres@md5:${"a".repeat(32)}`, false],
    [`postgres@${DIGEST}@${DIGEST}`, false],
  ])("isPinnedImage(%s) is %s", (ref, ok) => {
    expect(is.isPinnedImage(ref)).toBe(ok);
  });

  it.each<[string, boolean]>([
    ["lab.example.com", true],
    ["localhost", true],
    ["192.0.2.10", true],
    ["Lab.Example.com", false],
    ["-lab.example.com", false],
    ["lab..example.com", false],
    [`${"a".repeat(64)}.example.com`, false],
  ])("isHostName(%s) is %s", (name, ok) => {
    expect(is.isHostName(name)).toBe(ok);
  });

  it.each<[string, boolean]>([
    ["raw-events", true],
    ["raw.events", true],
    ["192.168.5.4", false],
    ["xn--raw", false],
    ["sthree-raw", false],
    ["raw-s3alias", false],
    ["raw--ol-s3", false],
    ["Raw", false],
    ["ab", false],
  ])("isBucketName(%s) is %s", (name, ok) => {
    expect(is.isBucketName(name)).toBe(ok);
  });

  it.each<[string, boolean]>([
    ["postgres:16.9-bookworm", true],
    ["postgres:17", true],
    ["mirror.example.com/library/postgres:17.5-alpine", true],
    [`postgres:16.9@${DIGEST}`, true],
    [`postgres@${DIGEST}`, false],
    ["postgres:18.1", false],
    ["postgres:9.6", false],
    ["postgres:latest", false],
    ["bitnami/postgresql:16", false],
    ["mysql:8.4", false],
  ])("isPostgresImage(%s, [16, 17]) is %s", (ref, ok) => {
    expect(is.isPostgresImage(ref, [16, 17])).toBe(ok);
  });

  it.each<[string, boolean]>([
    ["quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", true],
    ["minio/minio:RELEASE.2024-12-18T13-15-44Z", true],
    [`quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z@${DIGEST}`, true],
    ["quay.io/minio/minio:latest", false],
    ["quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z", false],
    ["localstack/localstack:4.0", false],
    ["mirror.example.com/forks/minio:RELEASE.2025-10-15T17-29-55Z", true],
    [`quay.io/minio/minio@${DIGEST}`, true],
  ])("isMinioImage(%s) is %s", (ref, ok) => {
    expect(is.isMinioImage(ref)).toBe(ok);
  });

  it("topics that differ only in '.' versus '_' share a collision key; others do not", () => {
    expect(is.topicCollisionKey("lab.events")).toBe(is.topicCollisionKey("lab_events"));
    expect(is.topicCollisionKey("lab-events")).not.toBe(is.topicCollisionKey("lab_events"));
  });

  it.each<[string, boolean]>([
    ["default", true],
    ["kube-system", true],
    ["kube-public", true],
    ["dataflow-lab", false],
    ["kubeflow", false],
  ])("isReservedNamespace(%s) is %s", (name, reserved) => {
    expect(is.isReservedNamespace(name)).toBe(reserved);
  });
});
