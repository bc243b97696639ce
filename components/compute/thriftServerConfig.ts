import { service } from "../config/serviceFields";

/** The `thriftServer` section of the stack config: the SQL endpoint's keys, defaults and what each does. */
export const THRIFT_SERVER_CONFIG = service(
  1152,
  1,
  {
    note: "The SQL endpoint: Spark's Thrift server (JDBC/ODBC, the HiveServer2 protocol) on the lab's catalog.",
    enabled: "Deploy the SQL endpoint (and its login).",
    memoryMiB: "Memory limit: the Spark driver's heap (`spark.driver.memory`, 512m) and its JVM.",
  },
  {},
  "spark-thrift",
);
