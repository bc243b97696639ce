/**
 * The Streamlit dashboard alone on the fake platform: the health URLs it polls (listed by service
 * whatever their order, each a connection it declares), the gold bucket it reads with only its
 * read-only identity's key in secret env, its published port without a login on the port it
 * serves, and its ServiceAccess (test/services.test.ts checks the same service as the whole program
 * wires it on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import { STREAMLIT_ACCESS, Streamlit } from "./streamlit";
import { clientEnv } from "../clientSettings";
import { GOLD, parseConfig, type LabConfig } from "../config";
import { LAB_RUNTIME_USER } from "../images";
import { peerAt } from "../platform/types";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

/** Stand-ins for what the lab hands the dashboard: the others' health URLs, out of order. */
const HEALTH_URLS = {
  "spark-master": "http://spark-master:8080/json/",
  "kafka-ui": "http://kafka-ui:8090/actuator/health",
  mlflow: "http://mlflow:5000/health",
};
const S3_KEY = "mocksecret-s3-streamlit";

/** Streamlit's Args as the lab builds them from config: the one place to follow an API change. */
function streamlit(config: LabConfig, platform: FakePlatform, after: pulumi.Resource[]) {
  const settings = {
    sparkMasterUrl: "spark://spark-master:7077",
    sparkDriver: { connects: [], callers: [], sessionPorts: [] },
    s3Endpoint: "http://minio:9000",
  };
  return new Streamlit("lab-streamlit", {
    platform,
    image: platform.image({ name: "lab-runtime", dockerfile: "x", inputs: [] }),
    client: clientEnv(settings, { accessKey: "streamlit", secretKey: pulumi.secret(S3_KEY) }, []),
    healthUrls: HEALTH_URLS,
    goldBucket: GOLD,
    memoryMiB: config.streamlit.memoryMiB,
    cpus: config.streamlit.cpus,
    startAfter: after,
  });
}

describe("Streamlit's workload (fake platform)", () => {
  let platform: FakePlatform;
  let dashboard: Streamlit;
  let config: LabConfig;
  let after: pulumi.Resource[];
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: dashboard, config } = await construct("dev", {}, (c) => {
      after = [new pulumi.ComponentResource("test:index:Ready", "lake-ready", {})];
      return streamlit(c, platform, after);
    }));
  });

  it("polls every health URL it is given, listed by service, and declares a connection to each and the lake", () => {
    const spec = platform.spec("streamlit");
    const polled = JSON.parse(spec.env!.LAB_HEALTH_URLS as string);
    expect(polled).toEqual(HEALTH_URLS);
    expect(Object.keys(polled)).toEqual(["kafka-ui", "mlflow", "spark-master"]);
    expect(spec.connects).toEqual(
      expect.arrayContaining([
        peerAt("http://minio:9000"),
        ...Object.values(HEALTH_URLS).map(peerAt),
      ]),
    );
    expect(spec.connects).toHaveLength(4);
  });

  it("reads gold with its own identity: the secret key only in secret env, no other credential", async () => {
    const spec = platform.spec("streamlit");
    expect(spec.env).toMatchObject({ LAB_GOLD_BUCKET: GOLD, AWS_ACCESS_KEY_ID: "streamlit" });
    expect(await settle(spec.secretEnv)).toEqual({
      value: { AWS_SECRET_ACCESS_KEY: S3_KEY },
      secret: true,
    });
    const plain = await settle({ env: spec.env, command: spec.command });
    expect(plain.secret).toBe(false);
    expect(JSON.stringify(plain.value)).not.toContain("mocksecret");
    expect(spec.files).toBeUndefined();
  });

  it("published without a login (it only shows status and gold), on the port it serves and is checked at", () => {
    const spec = platform.spec("streamlit");
    expect(spec.ports!.map((p) => [p.port, p.publish?.login])).toEqual([[8501, false]]);
    expect(spec.env!.STREAMLIT_SERVER_PORT).toBe("8501");
    expect(spec.health.http).toEqual({ path: "/_stcore/health", port: 8501 });
    expect(spec.env!.STREAMLIT_BROWSER_GATHER_USAGE_STATS).toBe("false");
    expect(dashboard.workload.urls).toEqual({ streamlit: "http://localhost:8501" });
  });

  it("runs as the lab runtime's user, keeps nothing, writes only /tmp; sized by config, after the lake", () => {
    const spec = platform.spec("streamlit");
    expect([spec.runAs, spec.volumes, spec.writablePaths]).toEqual([
      LAB_RUNTIME_USER,
      undefined,
      ["/tmp"],
    ]);
    expect([spec.memoryMiB, spec.cpus]).toEqual([
      config.streamlit.memoryMiB,
      config.streamlit.cpus,
    ]);
    expect(spec.startAfter).toEqual(after);
  });
});

describe("Streamlit's ServiceAccess", () => {
  it("an identity that may read gold and write nothing; no database, password or login", () => {
    expect(STREAMLIT_ACCESS.identity!.readWrite(parseConfig({}, "dev"))).toEqual([]);
    expect(STREAMLIT_ACCESS.identity!.readOnly).toEqual([GOLD]);
    const { database, passwords, credentials, buckets } = STREAMLIT_ACCESS;
    expect([database, passwords, credentials, buckets]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
