/**
 * The lineage service alone on the fake platform: the receiver it runs (services/lineage), its
 * database and key as secret inputs, the port it is checked at and never published, and its
 * ServiceAccess; then what it offers: every Spark driver's listener pointed at it with the key
 * (test/services.test.ts checks the same service as the whole program wires it on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "../config";
import { IMAGES } from "../images";
import { peerAt } from "../platform/types";
import { serviceFile } from "../serviceFiles";
import { Lineage, LINEAGE, LINEAGE_ACCESS } from "./lineage";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

const KEY = "mocksecret-lineage-api-key";
const DB_URL = "postgresql+psycopg2://lineage:mocksecret-db-lineage@postgres:5432/lineage";

/** Its Args as the lab builds them from config: the one place to follow an API change. */
function lineage(config: LabConfig, platform: FakePlatform): Lineage {
  return new Lineage("lab-lineage", {
    platform,
    image: platform.image({ ...IMAGES.labRuntime, prebuilt: config.images.lab }),
    database: { url: pulumi.secret(DB_URL), server: peerAt("postgres:5432") },
    apiKey: pulumi.secret(KEY),
    memoryMiB: config.lineage.memoryMiB,
    cpus: config.lineage.cpus,
  });
}

describe("the lineage service's workload (fake platform)", () => {
  let platform: FakePlatform;
  let service: Lineage;
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: service } = await construct("dev", { lineage: { memoryMiB: 320 } }, (c) =>
      lineage(c, platform),
    ));
  });

  it("runs the lab's receiver, mounted from services/lineage, as the image's user", () => {
    const spec = platform.spec("lineage");
    expect(spec.command).toEqual(["python3", "/opt/dataflow-lab/lineage/receiver.py"]);
    expect(spec.files![0]).toEqual({
      path: "/opt/dataflow-lab/lineage/receiver.py",
      content: serviceFile("lineage/receiver.py"),
    });
    expect([spec.memoryMiB, spec.runAs, spec.writablePaths]).toEqual([
      320,
      { user: 185, group: 185 },
      ["/tmp"],
    ]);
  });

  it("takes its database URL and key as secret files its env names, and connects to PostgreSQL alone", async () => {
    const spec = platform.spec("lineage");
    expect(spec.env).toEqual({
      LINEAGE_PORT: "5000",
      LINEAGE_DATABASE_URL_FILE: "/run/secrets/lineage/database-url",
      LINEAGE_API_KEY_FILE: "/run/secrets/lineage/api-key",
    });
    expect(spec.secretEnv ?? {}).toEqual({});
    const secrets = spec.files!.slice(1);
    expect(secrets.map((f) => [f.path, f.secret])).toEqual([
      ["/run/secrets/lineage/database-url", true],
      ["/run/secrets/lineage/api-key", true],
    ]);
    expect(await settle(secrets[0].content)).toEqual({ value: DB_URL, secret: true });
    expect(await settle(secrets[1].content)).toEqual({ value: KEY, secret: true });
    expect(spec.connects).toEqual([{ service: "postgres", port: 5432 }]);
  });

  it("serves inside the lab only, checked at /health on its port", () => {
    const spec = platform.spec("lineage");
    expect(spec.ports).toEqual([{ name: "http", port: 5000 }]);
    expect(spec.health.http).toEqual({ path: "/health", port: 5000 });
    expect(spec.health.command.join(" ")).toContain("http://localhost:5000/health");
    expect(service.workload.urls).toEqual({});
  });
});

describe("the lineage service's module", () => {
  it("has its own database with the events table, one generated key, and no MinIO identity", () => {
    expect(LINEAGE_ACCESS.toggle).toBe("lineage");
    expect(LINEAGE_ACCESS.database).toEqual({ schemaFile: "postgres/lineage-schema.sql" });
    expect(serviceFile("postgres/lineage-schema.sql")).toContain("CREATE TABLE lineage_events");
    expect(LINEAGE_ACCESS.passwords).toEqual(["lineage-api-key"]);
    expect(LINEAGE_ACCESS.identity).toBeUndefined();
    const key = pulumi.secret(KEY);
    expect(LINEAGE_ACCESS.credentials!({ "lineage-api-key": key })).toEqual({
      lineage: { apiKey: key },
    });
  });

  it("offers its address, Marquez's write path and the key, and lists where events go as its endpoint", () => {
    const key = pulumi.secret(KEY);
    expect(LINEAGE.offers!({ "lineage-api-key": key })).toEqual({
      lineage: { url: "http://lineage:5000", endpoint: "/api/v1/lineage", apiKey: key },
    });
    expect(LINEAGE.endpoint).toBe("http://lineage:5000/api/v1/lineage");
  });
});
