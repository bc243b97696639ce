/**
 * The SQL endpoint alone on the fake platform: the Thrift server Spark's distribution runs, its
 * login (the class the image builds, the users file a secret), the port it is published and
 * checked at, the Spark driver it is (the drivers' files and connections), and its ServiceAccess
 * (test/services.test.ts checks the same service as the whole program wires it on each stack).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClientEnv } from "../clientSettings";
import type { LabConfig } from "../config";
import { IMAGES } from "../images";
import type { FileSpec } from "../platform/types";
import { ADMIN } from "../service";
import { ThriftServer, THRIFT_SERVER_ACCESS, THRIFT_SERVER } from "./thriftServer";
import { construct, settle } from "../../test/componentHarness";
import { FakePlatform } from "../../test/fakePlatform";

const PASSWORD = "mocksecret-spark-thrift-admin";
/** Stand-ins for what the lab hands a Spark driver. */
const DRIVER_FILES: FileSpec[] = [
  { path: "/opt/spark/conf/spark-defaults.conf", content: pulumi.secret("conf"), secret: true },
  { path: "/opt/spark/conf/hive-site.xml", content: pulumi.secret("site"), secret: true },
];
const CLIENT: ClientEnv = {
  env: { AWS_ACCESS_KEY_ID: "spark", SPARK_MASTER_URL: "spark://spark-master:7077" },
  secretEnv: { AWS_SECRET_ACCESS_KEY: pulumi.secret("mocksecret-s3-spark") },
  network: {
    connects: [
      { service: "spark-master", port: 7077 },
      { service: "postgres", port: 5432 },
    ],
    callers: [{ service: "spark-master", port: 7100, endPort: 7115 }],
    sessionPorts: [{ port: 7100, endPort: 7115 }],
  },
};

/** Its Args as the lab builds them from config: the one place to follow an API change. */
function thriftServer(config: LabConfig, platform: FakePlatform): ThriftServer {
  return new ThriftServer("lab-spark-thrift", {
    platform,
    image: platform.image({ ...IMAGES.labRuntime, prebuilt: config.images.lab }),
    client: CLIENT,
    driverFiles: DRIVER_FILES,
    username: ADMIN,
    password: pulumi.secret(PASSWORD),
    memoryMiB: config.thriftServer.memoryMiB,
    cpus: config.thriftServer.cpus,
  });
}

describe("the SQL endpoint's workload (fake platform)", () => {
  let platform: FakePlatform;
  let server: ThriftServer;
  beforeAll(async () => {
    platform = new FakePlatform();
    ({ component: server } = await construct("dev", { thriftServer: { memoryMiB: 1536 } }, (c) =>
      thriftServer(c, platform),
    ));
  });

  it("runs Spark's Thrift server in the foreground, on 10000, with the image's login class", () => {
    const spec = platform.spec("spark-thrift");
    expect(spec.command!.slice(0, 6)).toEqual([
      "/opt/spark/bin/spark-submit",
      "--class",
      "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
      "--name",
      "sql-endpoint",
      "spark-internal",
    ]);
    const hiveconf = Object.fromEntries(
      spec.command!.flatMap((a, i, all) => (all[i - 1] === "--hiveconf" ? [a.split("=")] : [])),
    );
    expect(hiveconf).toEqual({
      "hive.server2.thrift.port": "10000",
      "hive.server2.thrift.bind.host": "0.0.0.0",
      "hive.server2.authentication": "CUSTOM",
      "hive.server2.custom.authentication.class": "dataflowlab.PasswordFileAuthenticator",
    });
  });

  it("reads its one login from a secret users file that the login class is pointed at", async () => {
    const spec = platform.spec("spark-thrift");
    const users = spec.files!.find((f) => f.path === spec.env!.LAB_SQL_USERS)!;
    expect(users.secret).toBe(true);
    expect(await settle(users.content)).toEqual({ value: `${ADMIN}:${PASSWORD}\n`, secret: true });
    const env = await settle(spec.env);
    expect(JSON.stringify(env.value)).not.toContain("mocksecret");
  });

  it("is a Spark driver: the drivers' files, the lake's key in secret env, the driver's connections, its own address for executors", () => {
    const spec = platform.spec("spark-thrift");
    expect(spec.files!.slice(0, 2)).toEqual(DRIVER_FILES);
    expect(Object.keys(spec.secretEnv!)).toEqual(["AWS_SECRET_ACCESS_KEY"]);
    expect(spec.connects).toEqual(CLIENT.network.connects);
    expect(spec.callers).toEqual(CLIENT.network.callers);
    expect(spec.ownAddressEnv).toEqual(["SPARK_LOCAL_HOSTNAME"]);
  });

  it("is published as plain TCP with a login, at the port its check connects to, sized by thriftServer.*", () => {
    const spec = platform.spec("spark-thrift");
    expect(spec.ports!.map((p) => [p.port, p.publish?.login, p.publish?.scheme])).toEqual([
      [10000, true, undefined],
    ]);
    expect(spec.health.tcpPort).toBe(10000);
    expect(spec.health.command.join(" ")).toContain("/dev/tcp/127.0.0.1/10000");
    expect(server.workload.urls).toEqual({ "spark-thrift": "localhost:10000" });
    expect([spec.memoryMiB, spec.runAs, spec.writablePaths]).toEqual([
      1536,
      { user: 185, group: 185 },
      ["/tmp"],
    ]);
  });
});

describe("the SQL endpoint's module", () => {
  it("takes one generated password, its login in the credentials as `sql`, and no database or identity of its own", () => {
    expect(THRIFT_SERVER_ACCESS.toggle).toBe("thriftServer");
    expect(THRIFT_SERVER_ACCESS.passwords).toEqual(["spark-thrift-admin"]);
    expect([THRIFT_SERVER_ACCESS.database, THRIFT_SERVER_ACCESS.identity]).toEqual([
      undefined,
      undefined,
    ]);
    const password = pulumi.secret(PASSWORD);
    const logins = THRIFT_SERVER_ACCESS.credentials!({ "spark-thrift-admin": password });
    expect(logins).toEqual({ sql: { user: ADMIN, password } });
  });

  it("lists its JDBC URL inside the lab as its endpoint", () => {
    expect(THRIFT_SERVER.endpoint).toBe("jdbc:hive2://spark-thrift:10000/default");
  });
});
