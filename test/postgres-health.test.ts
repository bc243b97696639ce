/**
 * Runs services/postgres/ensure-databases.sh (the Postgres health check) against a real PostgreSQL
 * server on loopback. Skips, saying why, where no PostgreSQL server binaries are installed.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SERVICES_DIR } from "../components/serviceFiles";

const SCRIPT = path.join(SERVICES_DIR, "postgres/ensure-databases.sh");
const binDir = ["/usr/lib/postgresql"]
  .filter((d) => fs.existsSync(d))
  .flatMap((d) => fs.readdirSync(d).map((v) => path.join(d, v, "bin")))
  .find((d) => fs.existsSync(path.join(d, "initdb")));
const hasClients = spawnSync("psql", ["--version"]).status === 0;
const available = binDir !== undefined && hasClients;
if (!available && process.env.CI === "true") {
  // CI installs PostgreSQL (scripts/test-prereqs.sh): there, missing binaries are a failure.
  throw new Error(
    "CI=true but no PostgreSQL server binaries: scripts/test-prereqs.sh should install them",
  );
}
if (!available) {
  // Straight to stderr: jest does not show a skipped suite's console output.
  process.stderr.write(
    "SKIP postgres-health: no PostgreSQL server binaries (apt-get install postgresql to run it)\n",
  );
}
const asRoot = process.getuid?.() === 0;

(available ? describe : describe.skip)("the Postgres health check against a real server", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-pg-"));
  const data = path.join(dir, "data");
  const port = String(25432 + Math.floor(Math.random() * 1000));
  const superPw = "superSecret123";
  // initdb and the server refuse to run as root; the image runs them as `postgres` too.
  const asPostgres = (cmd: string, args: string[]) =>
    // No pipes: the server started by pg_ctl would inherit them and keep the call waiting.
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], {
          cwd: dir,
          stdio: "ignore",
        })
      : execFileSync(cmd, args, { stdio: "ignore" });

  /** Runs the check for these databases, each password in a file as the platform mounts it. */
  const check = (passwords: Record<string, string>, env: Record<string, string> = {}) => {
    const passwordDir = fs.mkdtempSync(path.join(dir, "passwords-"));
    for (const [db, pw] of Object.entries(passwords)) {
      fs.writeFileSync(path.join(passwordDir, db), pw);
    }
    return spawnSync("bash", [SCRIPT], {
      env: {
        PATH: process.env.PATH!,
        POSTGRES_USER: "postgres",
        POSTGRES_PASSWORD_FILE: path.join(dir, "pw"),
        PGPORT: port,
        LAB_STATE_FILE: path.join(dir, "state"),
        LAB_DATABASES: Object.keys(passwords).join(" "),
        LAB_DB_PASSWORD_DIR: passwordDir,
        ...env,
      },
      encoding: "utf8",
    });
  };
  const login = (user: string, password: string, db: string, sql = "select 1") =>
    spawnSync("psql", ["-h", "127.0.0.1", "-p", port, "-U", user, "-d", db, "-tAc", sql], {
      env: { PATH: process.env.PATH!, PGPASSWORD: password },
      encoding: "utf8",
    });

  beforeAll(() => {
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(dir, "pw"), `${superPw}\n`);
    if (asRoot) execFileSync("chown", ["-R", "postgres", dir]);
    asPostgres(path.join(binDir!, "initdb"), [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${path.join(dir, "pw")}`,
    ]);
  });
  afterAll(() => {
    spawnSync(asRoot ? "runuser" : path.join(binDir!, "pg_ctl"), [
      ...(asRoot ? ["-u", "postgres", "--", path.join(binDir!, "pg_ctl")] : []),
      "-D",
      data,
      "-m",
      "immediate",
      "stop",
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is unhealthy while the server does not accept TCP connections", () => {
    expect(check({ mlflow: "pw1" }).status).not.toBe(0);
  });

  it("creates each consumer's role and database with its password, and pg_trgm where asked", () => {
    asPostgres(path.join(binDir!, "pg_ctl"), [
      "-D",
      data,
      "-w",
      "-l",
      path.join(dir, "server.log"),
      "-o",
      `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`,
      "start",
    ]);
    const r = check(
      { mlflow: "mlflowPw1", prefect: "prefectPw1" },
      { LAB_DB_EXTENSIONS_PREFECT: "pg_trgm" },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(login("mlflow", "mlflowPw1", "mlflow").stdout.trim()).toBe("1");
    expect(
      login(
        "prefect",
        "prefectPw1",
        "prefect",
        "select extname from pg_extension where extname='pg_trgm'",
      ).stdout.trim(),
    ).toBe("pg_trgm");
    expect(login("mlflow", "wrong", "mlflow").status).not.toBe(0);
    expect(login("mlflow", "mlflowPw1", "prefect").stderr).toContain(
      "permission denied for database",
    );
  });

  it("adds a database for a consumer enabled later and applies a changed password", () => {
    const r = check(
      { jupyterhub: "hubPw1", mlflow: "mlflowPw2", prefect: "prefectPw1" },
      { LAB_DB_EXTENSIONS_PREFECT: "pg_trgm" },
    );
    expect(r.status).toBe(0);
    expect(login("jupyterhub", "hubPw1", "jupyterhub").stdout.trim()).toBe("1");
    expect(login("mlflow", "mlflowPw2", "mlflow").stdout.trim()).toBe("1");
    expect(login("mlflow", "mlflowPw1", "mlflow").status).not.toBe(0);
  });

  it("stays healthy on repeated checks", () => {
    expect(check({ mlflow: "mlflowPw2" }).status).toBe(0);
    expect(check({ mlflow: "mlflowPw2" }).status).toBe(0);
  });

  it("creates a declared schema once, owned by the consumer's role, and leaves a database with tables as it is", () => {
    const schemas = fs.mkdtempSync(path.join(dir, "schemas-"));
    fs.writeFileSync(
      path.join(schemas, "spark.sql"),
      'CREATE TABLE "VERSION" (v text); INSERT INTO "VERSION" VALUES (\'2.3.0\');',
    );
    const env = { LAB_DB_SCHEMA_DIR: schemas };
    const version = (sql = "select string_agg(v, ',') from \"VERSION\"") =>
      login("spark", "sparkPw1", "spark", sql).stdout.trim();
    expect(check({ mlflow: "mlflowPw2", spark: "sparkPw1" }, env).status).toBe(0);
    expect(version()).toBe("2.3.0");
    expect(version("select tableowner from pg_tables where tablename = 'VERSION'")).toBe("spark");
    // A changed schema file reruns the check, which finds the tables there and applies nothing.
    fs.appendFileSync(path.join(schemas, "spark.sql"), " INSERT INTO \"VERSION\" VALUES ('x');");
    expect(check({ mlflow: "mlflowPw2", spark: "sparkPw1" }, env).status).toBe(0);
    expect(version()).toBe("2.3.0");
  });

  it("creates the catalog's Hive metastore schema (services/postgres), at the version Spark's Hive client verifies", () => {
    const schemas = fs.mkdtempSync(path.join(dir, "schemas-"));
    fs.copyFileSync(
      path.join(SERVICES_DIR, "postgres/hive-metastore-schema.sql"),
      path.join(schemas, "catalog.sql"),
    );
    const r = check({ catalog: "catalogPw1" }, { LAB_DB_SCHEMA_DIR: schemas });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    const sql = 'select "SCHEMA_VERSION" from "VERSION"';
    expect(login("catalog", "catalogPw1", "catalog", sql).stdout.trim()).toBe("2.3.0");
  });

  it("applies a schema that fails halfway not at all: unhealthy, the database left empty", () => {
    const schemas = fs.mkdtempSync(path.join(dir, "schemas-"));
    fs.writeFileSync(
      path.join(schemas, "hive.sql"),
      "CREATE TABLE a (v text); CREATE TABLE a (v text);",
    );
    const r = check({ hive: "hivePw1" }, { LAB_DB_SCHEMA_DIR: schemas });
    expect([r.status, r.stderr]).toEqual([
      3,
      expect.stringContaining('relation "a" already exists'),
    ]);
    expect(
      login(
        "hive",
        "hivePw1",
        "hive",
        "select count(*) from pg_tables where schemaname = 'public'",
      ).stdout.trim(),
    ).toBe("0");
  });

  it("is unhealthy, naming the database, when a password file is missing or empty, and changes nothing", () => {
    const r = check({ mlflow: "mlflowPw2", nifi: "" });
    expect([r.status, r.stderr.trim()]).toEqual([
      1,
      expect.stringMatching(/^no password for nifi in /),
    ]);
    expect(login("nifi", "", "nifi").status).not.toBe(0);
    expect(login("mlflow", "mlflowPw2", "mlflow").stdout.trim()).toBe("1");
  });
});
