/**
 * Kafka alone: one KRaft broker + controller on a kept volume, on the fake platform (its spec) and
 * on both real platforms (where the advertised host listener points), without the rest of the lab
 * (test/kafka-health.test.ts runs its health script's logic; the real-services suite the broker).
 */
import type { LabConfig } from "../config";
import { SERVICE_IMAGES } from "../images";
import { createPlatform } from "../platform";
import type { Platform } from "../platform/types";
import { Kafka, kraftClusterId } from "./kafka";
import { construct } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

/** Kafka's Args as the lab builds them from config: the one place to follow an API change. */
function kafka(config: LabConfig, platform: Platform): Kafka {
  return new Kafka("lab-kafka", {
    platform,
    image: SERVICE_IMAGES.kafka,
    clusterId: kraftClusterId("dataflow-lab", config.stack),
    topics: config.kafka.topics,
    storageSize: config.kafka.storageSize,
    memoryMiB: config.kafka.memoryMiB,
    cpus: config.kafka.cpus,
  });
}

describe("Kafka's workload (fake platform)", () => {
  let platform: FakePlatform;
  let broker: Kafka;
  let config: LabConfig;
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: broker, config } = await construct(
      "dev",
      { kafka: { topics: ["orders", "lab-events", "clicks"], memoryMiB: 1000 } },
      (c) => kafka(c, platform),
    ));
  });

  it("runs one combined broker and controller, its heap half of kafka.memoryMiB", () => {
    const env = platform.spec("kafka").env!;
    expect(env.KAFKA_PROCESS_ROLES).toBe("broker,controller");
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe("1@127.0.0.1:9093");
    expect(env.KAFKA_HEAP_OPTS).toBe("-Xms500m -Xmx500m");
    expect(platform.spec("kafka").memoryMiB).toBe(1000);
    expect(config.kafka.memoryMiB).toBe(1000);
  });

  it("keeps its log on a volume, below the mount (lost+found), with the stack's fixed cluster id", () => {
    const spec = platform.spec("kafka");
    expect(spec.volumes).toEqual([
      { name: "data", mountPath: "/var/lib/kafka/data", size: config.kafka.storageSize },
    ]);
    expect(spec.env!.KAFKA_LOG_DIRS).toBe("/var/lib/kafka/data/logs");
    // 16 bytes, base64url without padding, the same on every up of the stack.
    expect(spec.env!.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(spec.env!.CLUSTER_ID).toBe(kraftClusterId("dataflow-lab", "dev"));
    expect(kraftClusterId("dataflow-lab", "k8s")).not.toBe(spec.env!.CLUSTER_ID);
  });

  it("is healthy once its script created the declared topics (sorted); the broker port keeps it alive", () => {
    const spec = platform.spec("kafka");
    expect(spec.env!.LAB_KAFKA_TOPICS).toBe("clicks lab-events orders");
    expect(spec.health.command).toEqual(["/usr/local/bin/dataflow-lab-ensure-topics"]);
    expect(spec.health.liveness?.command).toEqual([
      "bash",
      "-c",
      "exec 3<>/dev/tcp/127.0.0.1/9092",
    ]);
    expect(broker.bootstrapServers).toBe("kafka:9092");
  });

  it("publishes only the host listener, and runs as the image's appuser", () => {
    const spec = platform.spec("kafka");
    expect(spec.ports!.filter((p) => p.publish).map((p) => [p.name, p.port])).toEqual([
      ["external", 29092],
    ]);
    expect([spec.runAs, spec.root]).toEqual([{ user: 1000, group: 1000 }, undefined]);
  });
});

describe("Kafka's host listener on the real platforms", () => {
  const advertised = async (stack: string, overrides: Record<string, unknown> = {}) => {
    const { registrations } = await construct(stack, overrides, (c) =>
      kafka(c, createPlatform("platform", c)),
    );
    const text = JSON.stringify(registrations.filter((r) => r.name === "kafka"));
    return /EXTERNAL:\/\/([^,"]+)/.exec(text)?.[1];
  };

  it("advertises the published host on Docker; on Kubernetes the port-forward's local port, or the node address and NodePort when exposed", async () => {
    expect(await advertised("dev")).toBe("localhost:29092");
    expect(await advertised("dev", { docker: { publishedHost: "lab.example" } })).toBe(
      "lab.example:29092",
    );
    // Kafka asks for no login: exposed only when that is asked for too.
    expect(await advertised("k8s", { kubernetes: { nodeAddress: "node.example" } })).toBe(
      "localhost:29092",
    );
    expect(
      await advertised("k8s", {
        kubernetes: { nodeAddress: "node.example", expose: "nodePort", exposeWithoutLogin: true },
      }),
    ).toBe("node.example:30092");
  });
});
