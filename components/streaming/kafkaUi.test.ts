/**
 * The Kafka UI alone on the fake platform: the broker it is pointed at and connects to, its one
 * login (the password only in secret env, the published port declaring the login), the port it
 * listens on as the health check and the platform see it, and its ServiceAccess declaration
 * (test/services.test.ts checks the same service as the whole program wires it on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "../config";
import { SERVICE_IMAGES } from "../images";
import { ADMIN } from "../service";
import { KafkaUi, KAFKA_UI_ACCESS } from "./kafkaUi";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

/** Stand-ins for what the lab hands the UI. */
const BOOTSTRAP = "kafka:9092";
const PASSWORD = "mocksecret-kafka-ui-admin";

/** The Kafka UI's Args as the lab builds them from config: the one place to follow an API change. */
function kafkaUi(config: LabConfig, platform: FakePlatform, after: pulumi.Resource[]): KafkaUi {
  return new KafkaUi("lab-kafka-ui", {
    platform,
    image: SERVICE_IMAGES.kafkaUi,
    bootstrapServers: BOOTSTRAP,
    username: ADMIN,
    password: pulumi.secret(PASSWORD),
    memoryMiB: config.kafkaUi.memoryMiB,
    cpus: config.kafkaUi.cpus,
    startAfter: after,
  });
}

describe("the Kafka UI's workload (fake platform)", () => {
  let platform: FakePlatform;
  let ui: KafkaUi;
  let config: LabConfig;
  let after: pulumi.Resource[];
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: ui, config } = await construct(
      "dev",
      { kafkaUi: { memoryMiB: 384, cpus: 0.5 } },
      (c) => {
        after = [new pulumi.ComponentResource("test:index:Ready", "kafka-ready", {})];
        return kafkaUi(c, platform, after);
      },
    ));
  });

  it("reads the broker it is given, and declares the connection to it", () => {
    const spec = platform.spec("kafka-ui");
    expect(spec.env!.KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe(BOOTSTRAP);
    expect(spec.connects).toEqual([{ service: "kafka", port: 9092 }]);
    expect(spec.startAfter).toEqual(after);
  });

  it("asks for its login form: the name in plain env, the password only in secret env", async () => {
    const spec = platform.spec("kafka-ui");
    expect(spec.env!.AUTH_TYPE).toBe("LOGIN_FORM");
    expect(spec.env!.SPRING_SECURITY_USER_NAME).toBe(ADMIN);
    expect(Object.keys(spec.secretEnv!)).toEqual(["SPRING_SECURITY_USER_PASSWORD"]);
    expect(await settle(spec.secretEnv!.SPRING_SECURITY_USER_PASSWORD)).toEqual({
      value: PASSWORD,
      secret: true,
    });
    const env = await settle(spec.env);
    expect(env.secret).toBe(false);
    expect(JSON.stringify(env.value)).not.toContain("mocksecret");
  });

  it("is published only as a port that declares that login, at the port it listens on and is checked at", () => {
    const spec = platform.spec("kafka-ui");
    expect(spec.ports!.map((p) => [p.port, p.publish?.login])).toEqual([[8090, true]]);
    expect(spec.env!.SERVER_PORT).toBe("8090");
    expect(spec.health.http).toEqual({ path: "/actuator/health", port: 8090 });
    expect(spec.health.command.join(" ")).toContain(":8090/actuator/health");
    expect(ui.workload.urls).toEqual({ "kafka-ui": "http://localhost:8090" });
  });

  it("runs as kafbat's chart's non-root identity, writing only /tmp, sized by kafkaUi.memoryMiB/cpus", () => {
    const spec = platform.spec("kafka-ui");
    expect([spec.runAs, spec.root]).toEqual([{ user: 1000, group: 2000 }, undefined]);
    expect([spec.writablePaths, spec.writableRoot, spec.volumes]).toEqual([
      ["/tmp"],
      undefined,
      undefined,
    ]);
    expect([spec.memoryMiB, spec.cpus]).toEqual([384, 0.5]);
    expect([config.kafkaUi.memoryMiB, config.kafkaUi.cpus]).toEqual([384, 0.5]);
  });
});

describe("the Kafka UI's ServiceAccess", () => {
  it("takes one generated password, its login in the credentials, and no database or identity", () => {
    expect(KAFKA_UI_ACCESS.toggle).toBe("kafkaUi");
    expect(KAFKA_UI_ACCESS.passwords).toEqual(["kafka-ui-admin"]);
    expect([KAFKA_UI_ACCESS.database, KAFKA_UI_ACCESS.identity]).toEqual([undefined, undefined]);
    const password = pulumi.secret(PASSWORD);
    const logins = KAFKA_UI_ACCESS.credentials!({ "kafka-ui-admin": password });
    expect(Object.keys(logins)).toEqual(["kafkaUi"]);
    expect(logins.kafkaUi).toMatchObject({ user: ADMIN });
    // The generated password itself, not a copy: it stays the secret output it is.
    expect((logins.kafkaUi as { password: unknown }).password).toBe(password);
  });
});
