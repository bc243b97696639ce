import { parseConfig, type RawConfig } from "../components/config";
import { defaults } from "../components/config/schema";
import { problemsOf } from "./configProblems";
import { rawStackConfig } from "../scripts/evaluate";
import { programError } from "./harness";

/** The config a stack's program would see, decoded back from the CLI's strings. */
const rawFor = (stack: string, overrides: Record<string, unknown> = {}): RawConfig =>
  rawStackConfig(stack, overrides);

describe("stack config as the CLI merges it", () => {
  it("Pulumi.yaml declares exactly the defaults the program applies (no drift between the two)", () => {
    expect(parseConfig(rawFor("dev"), "dev")).toEqual(parseConfig({}, "dev"));
  });

  it("the dev stack deploys to Docker and the k8s stack to Kubernetes", () => {
    expect(parseConfig(rawFor("dev"), "dev").target).toBe("docker");
    expect(parseConfig(rawFor("k8s"), "k8s").target).toBe("kubernetes");
  });

  it("defaults are safe: loopback ports, data kept, two workers, pinned images", () => {
    const c = parseConfig({}, "dev");
    expect(c.docker.bindAddress).toBe("127.0.0.1");
    expect(c.retainDataOnDestroy).toBe(true);
    expect(c.spark.workers).toBe(2);
    expect(c.kubernetes.namespace).toBe("dataflow-lab");
    expect(c.minio.image).toBe("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z");
    expect(c.postgres.image).toMatch(/^postgres:1[67]\./);
  });

  it("setting one field of an object keeps the defaults of the others", () => {
    const c = parseConfig(rawFor("dev", { minio: { buckets: ["raw-events"] } }), "dev");
    expect(c.minio.buckets).toEqual(["raw-events"]);
    expect(c.minio.image).toBe(defaults.minio.image);
    expect(c.minio.memoryMiB).toBe(defaults.minio.memoryMiB);
  });

  it.each([
    [{ spark: { workers: 0 } }, 0],
    [{ spark: { workers: 64 } }, 64],
    [{ spark: { workers: "5" } }, 5],
  ])("accepts spark.workers %j", (override, workers) => {
    expect(parseConfig(rawFor("dev", override), "dev").spark.workers).toBe(workers);
  });
});

describe("bad config fails before anything is created, naming key, value and what is allowed", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "negative workers",
      { spark: { workers: -1 } },
      "spark.workers must be a whole number from 0 to 64, got -1",
    ],
    [
      "fractional workers",
      { spark: { workers: 2.5 } },
      "spark.workers must be a whole number from 0 to 64, got 2.5",
    ],
    [
      "non-numeric workers",
      { spark: { workers: "many" } },
      'spark.workers must be a whole number from 0 to 64, got "many"',
    ],
    [
      "too many workers",
      { spark: { workers: 65 } },
      "spark.workers must be a whole number from 0 to 64, got 65",
    ],
    [
      "unknown target",
      { target: "swarm" },
      'target must be one of "docker", "kubernetes", got "swarm"',
    ],
    [
      "host name as bind address",
      { docker: { bindAddress: "localhost" } },
      'docker.bindAddress must be an IPv4 or IPv6 address such as 127.0.0.1, got "localhost"',
    ],
    [
      "impossible IP",
      { docker: { bindAddress: "300.1.1.1" } },
      'docker.bindAddress must be an IPv4 or IPv6 address such as 127.0.0.1, got "300.1.1.1"',
    ],
    [
      "namespace with capitals",
      { kubernetes: { namespace: "Data_Lab" } },
      "kubernetes.namespace must be a DNS-1123 label",
    ],
    [
      "namespace too long",
      { kubernetes: { namespace: "a".repeat(64) } },
      "kubernetes.namespace must be a DNS-1123 label",
    ],
    [
      "image on latest",
      { minio: { image: "quay.io/minio/minio:latest" } },
      'minio.image must be an image named minio (any registry or namespace: MinIO\'s own or a fork keeping its interface), pinned to a version tag or digest, e.g. "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", got "quay.io/minio/minio:latest"',
    ],
    [
      "image without tag",
      { postgres: { image: "postgres" } },
      "postgres.image must be the postgres image at major 16 or 17, pinned by its version tag",
    ],
    [
      "an image of another product as postgres",
      { postgres: { image: "mysql:8.4" } },
      'postgres.image must be the postgres image at major 16 or 17, pinned by its version tag (e.g. "postgres:17.11-bookworm", or with a digest "postgres:17.11@sha256:…"); 18 moved PGDATA, got "mysql:8.4"',
    ],
    [
      "an unsupported postgres major",
      { postgres: { image: "postgres:18.1" } },
      "postgres.image must be the postgres image at major 16 or 17",
    ],
    [
      "bucket with capitals",
      { minio: { buckets: ["Raw"] } },
      "minio.buckets[0] must be an S3 bucket name",
    ],
    [
      "bucket the lab owns",
      { minio: { buckets: ["gold"] } },
      "minio.buckets[0] must be a bucket other than bronze, silver, gold, mlflow",
    ],
    [
      "bucket twice",
      { minio: { buckets: ["raw", "raw"] } },
      "minio.buckets[1] must be each bucket once",
    ],
    [
      "buckets not a list",
      { minio: { buckets: "raw" } },
      'minio.buckets must be a list of strings, got "raw"',
    ],
    [
      "bucket formatted as an IP address",
      { minio: { buckets: ["192.168.5.4"] } },
      "minio.buckets[0] must be an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-', not an IP address",
    ],
    [
      "bucket with a reserved prefix",
      { minio: { buckets: ["xn--raw"] } },
      "without S3's reserved prefixes (xn--, sthree-) and suffixes",
    ],
    [
      "two topics that differ only in '.' and '_'",
      { kafka: { topics: ["lab.events", "lab_events"] } },
      "kafka.topics[1] must be a topic that differs from the others in more than '.' versus '_' (Kafka refuses topics that collide), got \"lab_events\"",
    ],
    [
      "a reserved namespace",
      { kubernetes: { namespace: "kube-system" } },
      'other than default and kube-* (Kubernetes\' own), got "kube-system"',
    ],
    [
      "the default namespace",
      { kubernetes: { namespace: "default" } },
      "kubernetes.namespace must be a DNS-1123 label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit, other than default and kube-* (Kubernetes' own), got \"default\"",
    ],
    [
      "an upper-case ingress domain",
      { kubernetes: { ingressDomain: "Lab.Example.com" } },
      'kubernetes.ingressDomain must be a lower-case DNS domain such as lab.example.com, got "Lab.Example.com"',
    ],
    [
      "an exposure that is no mode",
      { kubernetes: { expose: "loadBalancer" } },
      'kubernetes.expose must be one of "none", "nodePort", "ingress", got "loadBalancer"',
    ],
    [
      "ingress without a domain",
      { kubernetes: { expose: "ingress", plainHttp: true } },
      'kubernetes.expose must be ingress only with kubernetes.ingressDomain set (the hosts are <name>.<domain>), got "ingress"',
    ],
    [
      "ingress without TLS and without asking for plain HTTP",
      { kubernetes: { expose: "ingress", ingressDomain: "lab.example.com" } },
      'kubernetes.expose must be ingress with exactly one of kubernetes.tlsSecret (an existing TLS Secret), kubernetes.clusterIssuer (cert-manager) or kubernetes.plainHttp true (logins in clear), got "ingress"',
    ],
    [
      "two sources of certificates",
      {
        kubernetes: {
          expose: "ingress",
          ingressDomain: "lab.example.com",
          tlsSecret: "wildcard",
          clusterIssuer: "letsencrypt",
        },
      },
      "kubernetes.expose must be ingress with exactly one of kubernetes.tlsSecret",
    ],
    [
      "an ingress domain while nothing goes through an Ingress",
      { kubernetes: { expose: "nodePort", ingressDomain: "lab.example.com" } },
      'kubernetes.ingressDomain must be unset while kubernetes.expose is not ingress, got "lab.example.com"',
    ],
    [
      "plain HTTP while nothing goes through an Ingress",
      { kubernetes: { plainHttp: true } },
      "kubernetes.plainHttp must be false while kubernetes.expose is not ingress, got true",
    ],
    [
      "an image of another product for MinIO",
      { minio: { image: "localstack/localstack:4.0" } },
      'minio.image must be an image named minio (any registry or namespace: MinIO\'s own or a fork keeping its interface), pinned to a version tag or digest, e.g. "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", got "localstack/localstack:4.0"',
    ],
    [
      "a storage class that is no Kubernetes name",
      { kubernetes: { storageClass: "Fast_SSD" } },
      "kubernetes.storageClass must be a lower-case DNS-1123 subdomain",
    ],
    [
      "a malformed digest behind a tag",
      { postgres: { image: "postgres:16.9@sha256:abc" } },
      "postgres.image must be the postgres image at major 16 or 17",
    ],
    [
      "bad docker host",
      { docker: { host: "/var/run/docker.sock" } },
      "docker.host must be a Docker endpoint",
    ],
    [
      "bad storage size",
      { minio: { storageSize: "20GB" } },
      'minio.storageSize must be a size such as "512Mi"',
    ],
    [
      "bad boolean",
      { retainDataOnDestroy: "yes" },
      'retainDataOnDestroy must be true or false, got "yes"',
    ],
    [
      "memory too small",
      { postgres: { memoryMiB: 16 } },
      "postgres.memoryMiB must be a whole number from 128 to 65536, got 16",
    ],
    [
      "memory below what the service was measured to start with",
      { mlflow: { memoryMiB: 400 } },
      "mlflow.memoryMiB must be a whole number from 640 to 65536 (1.25 × the 468 MiB mlflow was measured to start with), got 400",
    ],
    [
      "a Kafka broker too small to start (killed for memory at 384 MiB, measured)",
      { kafka: { memoryMiB: 384 } },
      "kafka.memoryMiB must be a whole number from 576 to 65536 (1.25 × the 435 MiB kafka was measured to start with), got 384",
    ],
    [
      "a Prefect worker too small to start",
      { prefect: { workerMemoryMiB: 200 } },
      "prefect.workerMemoryMiB must be a whole number from 320 to 65536 (1.25 × the 205 MiB prefect-worker was measured to start with), got 200",
    ],
    [
      "CPUs in finer steps than 0.1",
      { nifi: { cpus: 1.25 } },
      "nifi.cpus must be a number of CPUs from 0.1 to 64 in steps of 0.1, such as 0.5, 1 or 2, got 1.25",
    ],
    [
      "no CPU at all",
      { spark: { masterCpus: 0 } },
      "spark.masterCpus must be a number of CPUs from 0.1 to 64 in steps of 0.1, such as 0.5, 1 or 2, got 0",
    ],
    [
      "CPUs as text",
      { prefect: { workerCpus: "two" } },
      'prefect.workerCpus must be a number of CPUs from 0.1 to 64 in steps of 0.1, such as 0.5, 1 or 2, got "two"',
    ],
    [
      "an IP address as the published host while NiFi is on",
      { docker: { publishedHost: "192.0.2.10" } },
      'docker.publishedHost must be a host name, not an IP address, while nifi.enabled is true (NiFi\'s certificate holds host names only; map one to the address in /etc/hosts), got "192.0.2.10"',
    ],
  ])("%s", (_what, override, message) => {
    const problems = problemsOf(rawFor("dev", override));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("the k8s stack refuses an IP address as kubernetes.nodeAddress while NiFi is on, and takes it with NiFi off", () => {
    const ip = { kubernetes: { nodeAddress: "192.168.49.2" } };
    expect(problemsOf(rawFor("k8s", ip))).toEqual([
      'kubernetes.nodeAddress must be a host name, not an IP address, while nifi.enabled is true (NiFi\'s certificate holds host names only; map one to the address in /etc/hosts), got "192.168.49.2"',
    ]);
    expect(problemsOf(rawFor("k8s", { ...ip, nifi: { enabled: false } }))).toEqual([]);
    // Only the target's own address counts: the dev stack never uses kubernetes.nodeAddress.
    expect(problemsOf(rawFor("dev", ip))).toEqual([]);
  });

  it("CPU limits accept tenths and whole numbers, given as numbers or text", () => {
    const config = parseConfig(
      rawFor("dev", {
        minio: { cpus: 0.5 },
        jupyterhub: { cpus: "1.5" },
        spark: { masterCpus: 2 },
      }),
      "dev",
    );
    expect([config.minio.cpus, config.jupyterhub.cpus, config.spark.masterCpus]).toEqual([
      0.5, 1.5, 2,
    ]);
  });

  it("a typo in a field is an error with a hint, not a silent default", () => {
    const problems = problemsOf(rawFor("dev", { spark: { worker: 3 } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^spark\.worker is not a known setting \(did you mean spark\.workers\?\); known: /,
    );
  });

  it("a typo in a top-level key is an error too", () => {
    const [problem] = problemsOf(rawFor("dev", { trget: "docker" }));
    expect(problem).toMatch(/^trget is not a known setting \(did you mean target\?\)/);
  });

  it("reports every bad key at once", () => {
    const problems = problemsOf(
      rawFor("k8s", {
        target: "nomad",
        spark: { workers: -3 },
        docker: { bindAddress: "everywhere" },
        kubernetes: { namespace: "-lab-" },
      }),
    );
    expect(problems.map((p) => p.split(" ")[0]).sort()).toEqual([
      "docker.bindAddress",
      "kubernetes.namespace",
      "spark.workers",
      "target",
    ]);
  });

  it("the real program stops with a RunError before registering any resource", async () => {
    const { error, registered } = await programError("dev", { spark: { workers: -1 } });
    expect(error.message).toContain("spark.workers must be a whole number from 0 to 64, got -1");
    expect(error.message).toContain("nothing was deployed");
    expect(registered).toEqual([]);
  });

  it("the real program reports malformed JSON in an object key", async () => {
    const { error, registered } = await programError("k8s", { spark: "{workers: 3" });
    expect(error.message).toContain('spark must be valid JSON, got "{workers: 3"');
    expect(registered).toEqual([]);
  });
});
