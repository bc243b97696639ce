/** Inputs of {@link hiveSite}: the catalog's database on the lab's PostgreSQL. */
export interface HiveSiteInput {
  /** e.g. `postgres`. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The role's password: the file is therefore mounted as a secret. */
  readonly password: string;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * `hive-site.xml` of the lab's Spark drivers: the catalog (a Hive metastore, run by Spark's own
 * Hive client inside each driver) keeps its tables in PostgreSQL. The schema is PostgreSQL's to
 * create (services/postgres/hive-metastore-schema.sql), so the client only checks its version:
 * DataNucleus creating the tables itself deadlocks on PostgreSQL
 * (docs/research/governance-2026-12-07.md, 1b). Spark reads the file from SPARK_CONF_DIR.
 * @see https://spark.apache.org/docs/4.0.1/sql-data-sources-hive-tables.html
 * @see https://cwiki.apache.org/confluence/display/Hive/AdminManual+Metastore+Administration
 */
export function hiveSite(i: HiveSiteInput): string {
  const properties: [string, string][] = [
    ["javax.jdo.option.ConnectionURL", `jdbc:postgresql://${i.host}:${i.port}/${i.database}`],
    ["javax.jdo.option.ConnectionDriverName", "org.postgresql.Driver"],
    ["javax.jdo.option.ConnectionUserName", i.user],
    ["javax.jdo.option.ConnectionPassword", i.password],
    ["datanucleus.schema.autoCreateAll", "false"],
    ["hive.metastore.schema.verification", "true"],
  ];
  const body = properties
    .map(
      ([name, value]) =>
        `  <property>\n    <name>${name}</name>\n    <value>${escapeXml(value)}</value>\n  </property>`,
    )
    .join("\n");
  return `<?xml version="1.0"?>\n<!-- Written by DataFlow Lab (components/compute/hiveSite.ts); changes here are overwritten. -->\n<configuration>\n${body}\n</configuration>\n`;
}
