/**
 * The Spark cluster alone: what it asks of the platform (fake platform), and how worker count
 * becomes containers or replicas on the real platforms, without evaluating the whole lab.
 */
import * as pulumi from "@pulumi/pulumi";
import { Spark } from "./spark";
import type { LineageLink } from "../clientSettings";
import type { LabConfig } from "../config";
import { IMAGES } from "../images";
import { createPlatform } from "../platform";
import type { Platform } from "../platform/types";
import { construct, value } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";
import type { Registration } from "../../test/harness";

const SPARK_CONF = "/opt/spark/conf/spark-defaults.conf";

/** Spark's Args as the lab builds them from config: the one place to follow an API change. */
function spark(config: LabConfig, platform: Platform, lineage?: LineageLink): Spark {
  const parent = new pulumi.ComponentResource("test:index:Parent", "test", {});
  const image = platform.image({ ...IMAGES.labRuntime, prebuilt: config.images.lab }, parent);
  return new Spark("lab-spark", {
    platform,
    image,
    s3Endpoint: "http://minio:9000",
    s3: { accessKey: "spark", secretKey: pulumi.output("mocksecret-s3-spark") },
    authSecret: pulumi.output("mocksecret-spark-auth"),
    catalog: {
      host: "postgres",
      port: 5432,
      database: "spark",
      user: "spark",
      password: pulumi.output("mocksecret-db-spark"),
    },
    workers: config.spark.workers,
    workerCores: config.spark.workerCores,
    workerMemory: config.spark.workerMemory,
    workerMemoryMiB: config.spark.workerMemoryMiB,
    memoryMiB: config.spark.masterMemoryMiB,
    cpus: config.spark.masterCpus,
    lineage,
  });
}

describe("Spark's workloads (fake platform)", () => {
  let platform: FakePlatform;
  let cluster: Spark;
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: cluster } = await construct("dev", {}, (c) => spark(c, platform)));
  });

  it("master: spark-class Master on 7077 (RPC) and 8080 (UI, published as spark-ui), healthy when ALIVE", () => {
    const m = platform.spec("spark-master");
    expect(m.command).toEqual([
      "/opt/spark/bin/spark-class",
      "org.apache.spark.deploy.master.Master",
      "--port",
      "7077",
      "--webui-port",
      "8080",
    ]);
    expect(m.ports).toEqual([
      { name: "rpc", port: 7077 },
      {
        name: "ui",
        port: 8080,
        publish: {
          hostPort: 8080,
          nodePort: 30080,
          scheme: "http",
          urlKey: "spark-ui",
          login: false,
        },
      },
    ]);
    expect(m.health.command).toEqual([
      "sh",
      "-c",
      "curl -fsS http://localhost:8080/json/ | grep -q ALIVE",
    ]);
    expect(m.health.http).toEqual({ path: "/json/", port: 8080 });
    expect(cluster.masterUrl).toBe("spark://spark-master:7077");
  });

  it("master and workers mount one spark-defaults.conf, as a secret file, naming the master", async () => {
    for (const service of ["spark-master", "spark-worker"]) {
      expect(platform.spec(service).files).toEqual([cluster.conf]);
    }
    expect(cluster.conf.path).toBe(SPARK_CONF);
    expect(cluster.conf.secret).toBe(true);
    expect(await value(cluster.conf.content)).toContain("spark.master spark://spark-master:7077");
  });

  it("a driver mounts spark-defaults.conf and hive-site.xml (the catalog's login, secret) and connects to the catalog's PostgreSQL; the daemons hold no catalog login", async () => {
    expect(cluster.driverFiles.map((f) => [f.path, f.secret])).toEqual([
      [SPARK_CONF, true],
      ["/opt/spark/conf/hive-site.xml", true],
    ]);
    const site = await value(pulumi.output(cluster.driverFiles[1].content));
    expect(site).toContain("<value>jdbc:postgresql://postgres:5432/spark</value>");
    expect(site).toContain("<value>mocksecret-db-spark</value>");
    expect(cluster.driver.connects).toContainEqual({ service: "postgres", port: 5432 });
    for (const service of ["spark-master", "spark-worker"]) {
      expect(JSON.stringify(platform.spec(service))).not.toContain("hive-site");
    }
  });

  it("worker: registers with the master, sized by spark.workerCores/workerMemory, two by default", () => {
    const w = platform.spec("spark-worker");
    expect(w.command).toEqual([
      "/opt/spark/bin/spark-class",
      "org.apache.spark.deploy.worker.Worker",
      "--port",
      "7400",
      "--webui-port",
      "8081",
      "spark://spark-master:7077",
    ]);
    expect(w.env).toMatchObject({ SPARK_WORKER_CORES: "1", SPARK_WORKER_MEMORY: "512m" });
    expect(w.memoryMiB).toBe(1472);
    expect(w.replicas).toBe(2);
    expect(cluster.workers?.memoryMiB).toBe(2 * 1472);
  });
});

describe("Spark's drivers and the lineage service", () => {
  it("with a lineage service, each driver's listener posts to it with its key, and a driver connects to it", async () => {
    const platform = new FakePlatform();
    const lineage = {
      url: "http://lineage:5000",
      endpoint: "/api/v1/lineage",
      apiKey: pulumi.secret("mocksecret-lineage-api-key"),
    };
    const { component } = await construct("dev", {}, (c) => spark(c, platform, lineage));
    const conf = await value(component.conf.content);
    expect(conf).toContain("spark.openlineage.transport.url http://lineage:5000\n");
    expect(conf).toContain("spark.openlineage.transport.auth.apiKey mocksecret-lineage-api-key\n");
    expect(component.driver.connects).toContainEqual({ service: "lineage", port: 5000 });
  });

  it("without one, no listener and no connection", async () => {
    const platform = new FakePlatform();
    const { component } = await construct("dev", {}, (c) => spark(c, platform));
    expect(await value(component.conf.content)).not.toContain("openlineage");
    expect(component.driver.connects.map((p) => p.service)).not.toContain("lineage");
  });
});

// Moved from test/services.test.ts ("scaling and toggles"): the same containers, replicas and
// memory, from Spark on the real platforms instead of the whole program per worker count.
describe("Spark's worker count on the real platforms", () => {
  const build = (stack: string, workers: number) =>
    construct(stack, { spark: { workers } }, (c) => spark(c, createPlatform("platform", c)));
  const named = (rs: readonly Registration[], type: string) =>
    rs.filter((r) => r.type === type).sort((a, b) => a.name.localeCompare(b.name));

  it.each([0, 1, 3])(
    "spark.workers = %i gives that many worker containers on Docker",
    async (n) => {
      const { component: cluster, registrations } = await build("dev", n);
      expect(
        named(registrations, "docker:index/container:Container")
          .filter((c) => c.name.startsWith("spark-worker"))
          .map((c) => c.inputs.name),
      ).toEqual(Array.from({ length: n }, (_, i) => `dataflow-lab-dev-spark-worker-${i + 1}`));
      // What the platform allotted, which the program's memoryLimitMiB output sums (labOutputs.ts).
      expect(cluster.workers?.memoryMiB).toBe(n === 0 ? undefined : n * 1472);
    },
  );

  it.each([1, 3])("spark.workers = %i gives that many replicas on Kubernetes", async (n) => {
    const { registrations } = await build("k8s", n);
    expect(
      named(registrations, "kubernetes:apps/v1:Deployment")
        .filter((d) => d.name === "spark-worker")
        .map((d) => d.inputs.spec.replicas),
    ).toEqual([n]);
  });

  it("spark.workers = 0 on Kubernetes leaves no worker Deployment", async () => {
    const { registrations } = await build("k8s", 0);
    expect(
      named(registrations, "kubernetes:apps/v1:Deployment").filter(
        (d) => d.name === "spark-worker",
      ),
    ).toEqual([]);
  });
});
