import { healthUrlsOf, memoryBudget, urlsOf } from "../components/labOutputs";
import { workloadAddresses, type Workload, type WorkloadSpec } from "../components/platform/types";
import { needs } from "../components/service";

const workload = (host: string, extra: Partial<Workload> = {}): Workload => ({
  host,
  ready: [],
  publishedReady: [],
  external: {},
  urls: {},
  memoryMiB: 256,
  ...extra,
});

describe("the lab's outputs come from the deployed workloads alone", () => {
  const workloads = [
    workload("minio", {
      urls: { "minio-console": "http://localhost:9001", "minio-api": "http://localhost:9000" },
      healthUrl: "http://minio:9000/minio/health/ready",
      memoryMiB: 576,
    }),
    workload("postgres", { memoryMiB: 320 }),
    workload("spark-worker", { memoryMiB: 2 * 1408 }),
  ];

  it("urls: every published URL, keys sorted whatever the deploy order", () => {
    expect(Object.entries(urlsOf([...workloads].reverse()))).toEqual([
      ["minio-api", "http://localhost:9000"],
      ["minio-console", "http://localhost:9001"],
    ]);
  });

  it("health URLs: only workloads whose health check has one", () => {
    expect(healthUrlsOf(workloads)).toEqual({ minio: "http://minio:9000/minio/health/ready" });
  });

  it("a workload of numbered copies has no health URL: one copy answers for itself alone", () => {
    const spec: WorkloadSpec = {
      service: "spark-worker",
      image: "x",
      health: { command: ["true"], http: { path: "/json/", port: 8081 } },
      memoryMiB: 1408,
    };
    const none = () => ({ host: "", port: 0, url: "" });
    expect(workloadAddresses(spec, none).healthUrl).toBe("http://spark-worker:8081/json/");
    expect(workloadAddresses({ ...spec, replicas: 1 }, none).healthUrl).toBeUndefined();
  });

  it("memory: what the platform allotted per service (all copies), summed; order does not matter", () => {
    const budget = memoryBudget(workloads);
    expect(budget).toEqual({
      services: { minio: 576, postgres: 320, "spark-worker": 2816 },
      total: 576 + 320 + 2816,
    });
    expect(memoryBudget([...workloads].reverse())).toEqual(budget);
    expect(Object.keys(memoryBudget([...workloads].reverse()).services)).toEqual(
      Object.keys(budget.services),
    );
  });
});

describe("needs: a service a consumer depends on, or a clear error", () => {
  it("hands back the service when it is on", () => {
    const kafka = { bootstrapServers: "kafka:9092" };
    expect(needs(kafka, "kafka", "kafkaUi")).toBe(kafka);
  });

  it("names the consumer, the missing service and the ways out when it is off", () => {
    expect(() => needs(undefined, "kafka", "kafkaUi")).toThrow(
      "kafkaUi is switched on but needs kafka, which is not deployed (switch kafkaUi off, or turn on what deploys kafka)",
    );
  });
});
