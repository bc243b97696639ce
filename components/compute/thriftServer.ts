import * as pulumi from "@pulumi/pulumi";
import type { ClientEnv } from "../clientSettings";
import { LAB_RUNTIME_USER } from "../images";
import type { BuiltImage, FileSpec, Workload } from "../platform/types";
import { ADMIN, login, type Service, type ServiceAccess, type ServiceArgs } from "../service";
import type { ServiceModule } from "../serviceModule";

/** Arguments for {@link ThriftServer}. */
export interface ThriftServerArgs extends ServiceArgs {
  /** The lab runtime image: Spark with the Thrift server's jars and the login class. */
  readonly image: BuiltImage;
  /** A Spark driver's environment and connections: the lake as Spark's identity. */
  readonly client: ClientEnv;
  /** What a Spark driver mounts (`Spark.driverFiles`): spark-defaults.conf and hive-site.xml. */
  readonly driverFiles: readonly FileSpec[];
  /** The one login's user name. */
  readonly username: string;
  /** Its generated password. */
  readonly password: pulumi.Input<string>;
}

/** HiveServer2's binary protocol port, which JDBC (`jdbc:hive2://`), ODBC and beeline speak. */
export const THRIFT_PORT = 10000;
const HOST = "spark-thrift";
/** The login class the image builds (images/lab-runtime/sql-auth). */
const AUTHENTICATOR = "dataflowlab.PasswordFileAuthenticator";
/** `user:password` lines: the file the login class reads (its LAB_SQL_USERS). */
const USERS_FILE = "/run/secrets/spark-thrift/users";

/** The endpoint's JDBC URL inside the lab. */
export const THRIFT_JDBC_URL = `jdbc:hive2://${HOST}:${THRIFT_PORT}/default`;

/**
 * The lab's SQL endpoint: Spark's Thrift server (a long-running Spark application on the lab's
 * cluster, its driver here) serving the catalog's tables to JDBC/ODBC clients, BI tools and
 * beeline, behind one generated login. It is PySpark's own distribution: the class
 * `start-thriftserver.sh` runs, in the foreground.
 * @see https://spark.apache.org/docs/4.0.1/sql-distributed-sql-engine.html
 */
export class ThriftServer extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];

  constructor(name: string, args: ThriftServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:compute:ThriftServer", name, {}, opts);
    const hiveconf = (key: string, value: string | number) => ["--hiveconf", `${key}=${value}`];
    this.workload = args.platform.deploy(
      {
        service: HOST,
        image: args.image,
        command: [
          "/opt/spark/bin/spark-submit",
          "--class",
          "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
          "--name",
          "sql-endpoint",
          // What spark-submit runs for the Thrift server: no application jar of its own.
          "spark-internal",
          ...hiveconf("hive.server2.thrift.port", THRIFT_PORT),
          ...hiveconf("hive.server2.thrift.bind.host", "0.0.0.0"),
          ...hiveconf("hive.server2.authentication", "CUSTOM"),
          ...hiveconf("hive.server2.custom.authentication.class", AUTHENTICATOR),
        ],
        env: { ...args.client.env, LAB_SQL_USERS: USERS_FILE },
        secretEnv: args.client.secretEnv,
        // Its executors call the driver back at this address.
        ownAddressEnv: ["SPARK_LOCAL_HOSTNAME"],
        ...args.client.network,
        files: [
          ...args.driverFiles,
          {
            path: USERS_FILE,
            content: pulumi.secret(pulumi.interpolate`${args.username}:${args.password}\n`),
            secret: true,
          },
        ],
        ports: [
          {
            name: "thrift",
            port: THRIFT_PORT,
            // A login on every connection; the protocol itself is plain TCP, with no TLS.
            publish: {
              hostPort: THRIFT_PORT,
              nodePort: 30100,
              urlKey: "spark-thrift",
              login: true,
            },
          },
        ],
        health: {
          // Listening only once its SparkContext runs and the catalog answered.
          command: ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${THRIFT_PORT}`],
          tcpPort: THRIFT_PORT,
          startPeriodSeconds: 90,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        // Spark's and Hive's scratch (spark.local.dir, hive.exec.scratchdir), the JVM's perf data.
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.registerOutputs({});
  }
}

/** Its login; it reads and writes the lake as Spark (the drivers' identity). */
export const THRIFT_SERVER_ACCESS: ServiceAccess = {
  name: "spark-thrift",
  toggle: "thriftServer",
  passwords: ["spark-thrift-admin"],
  credentials: (p) => ({ sql: login(p, "spark-thrift-admin") }),
};

/** The SQL endpoint, a Spark driver on the lab's cluster and catalog. */
export const THRIFT_SERVER: ServiceModule = {
  access: THRIFT_SERVER_ACCESS,
  endpoint: THRIFT_JDBC_URL,
  deploy: (lab) =>
    new ThriftServer(
      `${lab.name}-spark-thrift`,
      {
        ...lab.config.thriftServer,
        platform: lab.platform,
        image: lab.runtime,
        client: lab.client("spark", ["spark"]),
        driverFiles: lab.spark.driverFiles,
        username: ADMIN,
        password: lab.passwords["spark-thrift-admin"],
        startAfter: [
          ...lab.database("thriftServer").workload.ready,
          ...lab.lake,
          ...lab.spark.master.ready,
        ],
      },
      lab.child,
    ),
};
