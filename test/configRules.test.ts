/**
 * The config schema's rules between keys and its edge cases, on `parseConfig` alone (no program run):
 * what test/config.test.ts does not pin and the zod schema must keep doing.
 */
import { parseConfig } from "../components/config";
import { defaults } from "../components/config/schema";
import { problemsOf } from "./configProblems";

const K8S_OK = { target: "kubernetes", images: { registry: "localhost:5001" } };
const WORKER_OVERHEAD = "for the worker daemon and the executor's JVM beyond its heap, got";

describe("rules between keys", () => {
  it("a Spark worker's container must hold its executors' memory plus the measured overhead", () => {
    expect(problemsOf({ spark: { workerMemory: "1g", workerMemoryMiB: "1500" } })).toEqual([
      `spark.workerMemoryMiB must be at least spark.workerMemory + 960 MiB (1984) ${WORKER_OVERHEAD} 1500`,
    ]);
    expect(problemsOf({ spark: { workerMemory: "1g", workerMemoryMiB: 1984 } })).toEqual([]);
  });

  it("the Kafka UI follows Kafka when unset (null counts as unset), and set on without it is an error", () => {
    const off = { kafka: { enabled: false } };
    expect(parseConfig(off, "dev").kafkaUi.enabled).toBe(false);
    expect(parseConfig({ ...off, kafkaUi: { enabled: null } }, "dev").kafkaUi.enabled).toBe(false);
    expect(parseConfig({}, "dev").kafkaUi.enabled).toBe(true);
    expect(parseConfig({ kafkaUi: { enabled: "false" } }, "dev").kafkaUi.enabled).toBe(false);
    expect(problemsOf({ kafka: { enabled: "false" }, kafkaUi: { enabled: "true" } })).toEqual([
      "kafkaUi.enabled must be false while kafka.enabled is false (kafkaUi needs kafka), got true",
    ]);
  });

  it("Kubernetes needs a registry to push to, or a prebuilt image; Docker needs neither", () => {
    expect(problemsOf({ target: "kubernetes" })).toEqual([
      "images.lab must be a pushed image reference when images.registry is not set (a cluster cannot use images built on this machine), got null",
    ]);
    expect(problemsOf({ target: "kubernetes", images: { lab: "ghcr.io/you/lab:1.0" } })).toEqual(
      [],
    );
    expect(problemsOf(K8S_OK)).toEqual([]);
    expect(problemsOf({})).toEqual([]);
  });

  it("are still checked when another key, even in the same section, is wrong", () => {
    expect(
      problemsOf({
        spark: { workers: -1 },
        kafka: { enabled: false, topics: ["no spaces"] },
        kafkaUi: { enabled: true },
        docker: { bindAddress: "everywhere", publishedHost: "192.0.2.10" },
      }).sort(),
    ).toEqual([
      'docker.bindAddress must be an IPv4 or IPv6 address such as 127.0.0.1, got "everywhere"',
      'docker.publishedHost must be a host name, not an IP address, while nifi.enabled is true (NiFi\'s certificate holds host names only; map one to the address in /etc/hosts), got "192.0.2.10"',
      "kafka.topics[0] must be a Kafka topic name: letters, digits, '.', '_' or '-', got \"no spaces\"",
      "kafkaUi.enabled must be false while kafka.enabled is false (kafkaUi needs kafka), got true",
      "spark.workers must be a whole number from 0 to 64, got -1",
    ]);
  });

  it("are not judged on a key that is itself wrong: its own message says what to fix", () => {
    // Unknown target: which address NiFi would need is unknown too.
    expect(problemsOf({ target: "nomad", docker: { publishedHost: "192.0.2.10" } })).toEqual([
      'target must be one of "docker", "kubernetes", got "nomad"',
    ]);
    expect(problemsOf({ ...K8S_OK, images: { registry: 5001 } })).toEqual([
      "images.registry must be a string, got 5001",
    ]);
    expect(problemsOf({ spark: { workerMemory: "256m", workerMemoryMiB: 1000 } })).toEqual([
      'spark.workerMemory must be Spark memory of at least 512m, such as "512m" or "2g", got "256m"',
    ]);
  });
});

describe("values as the CLI hands them over", () => {
  it("numbers and booleans may come as text; null and an empty optional string mean unset", () => {
    const c = parseConfig(
      {
        retainDataOnDestroy: "false",
        spark: { workers: " 3 ", masterCpus: "0.5", workerMemory: null },
        docker: { host: "" },
        kubernetes: { context: null },
      },
      "dev",
    );
    expect([c.retainDataOnDestroy, c.spark.workers, c.spark.masterCpus]).toEqual([false, 3, 0.5]);
    expect(c.spark.workerMemory).toBe(defaults.spark.workerMemory);
    expect(c.docker.host).toBeUndefined();
    expect(c.kubernetes.context).toBeUndefined();
  });

  it("an object key given as something else names the key and how to set its fields", () => {
    expect(problemsOf({ spark: 3 })).toEqual([
      "spark must be an object (set its fields with: pulumi config set --path spark.<field> <value>), got 3",
    ]);
  });

  it("a list with a non-string item is reported once, on the list", () => {
    expect(problemsOf({ kafka: { topics: ["events", 5] } })).toEqual([
      'kafka.topics must be a list of strings, got ["events",5]',
    ]);
  });

  it("a value that fails two checks meaning one thing is reported once", () => {
    expect(problemsOf({ spark: { workers: -1.5 }, nifi: { cpus: 100.05 } })).toEqual([
      "spark.workers must be a whole number from 0 to 64, got -1.5",
      "nifi.cpus must be a number of CPUs from 0.1 to 64 in steps of 0.1, such as 0.5, 1 or 2, got 100.05",
    ]);
  });

  it("an unknown key set to null is still a typo; typos are listed first", () => {
    const problems = problemsOf({ spark: { workers: 99 }, kafkaUI: null });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^kafkaUI is not a known setting \(did you mean kafkaUi\?\)/);
  });

  it("a typo far from every key gets no hint, but the list of known keys", () => {
    expect(problemsOf({ minio: { region: "eu" } })).toEqual([
      "minio.region is not a known setting; known: minio.buckets, minio.cpus, minio.image, minio.memoryMiB, minio.storageSize",
    ]);
  });
});

describe("defaults", () => {
  it("are the schema's: a stack that sets nothing gets exactly them (and target docker)", () => {
    expect(parseConfig({}, "dev")).toEqual({ stack: "dev", target: "docker", ...defaults });
  });
});
