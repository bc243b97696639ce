/**
 * The lab runtime's Python lock (images/lab-runtime/requirements.in → requirements.lock +
 * pyspark.lock, written by scripts/lock.sh), against PyPI: it is current, pins what requirements.in
 * asks for, carries hashes, and installs with hashes required into a venv of the image's Python
 * (scripts/python-env.sh) where every lab service imports and its command runs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run, tail } from "../command";
import {
  lockedPython,
  lockedVersion,
  MAIN_LOCK,
  normalize,
  parseLock,
  REPO_ROOT as ROOT,
  RUNTIME_DIR,
  SPARK_LOCK,
} from "../../scripts/pins";
import { labVenv } from "./pythonLock";

const REQUIREMENTS_IN = path.join(RUNTIME_DIR, "requirements.in");
/** Locked in pyspark.lock only: PySpark is an sdist, built once the wheels are installed. */
const SPARK_PACKAGES = ["pyspark", "py4j"];

interface Requirement {
  name: string;
  /** e.g. [["==", "2.22.0"]] or [[">=", "2.0"], ["<", "2.1"]]; empty when unpinned. */
  specifiers: [string, string][];
  line: string;
}

/** The requirements of a requirements.in: `name[extras] specifiers ; marker`, comments dropped. */
function parseRequirementsIn(text: string): Requirement[] {
  const requirements: Requirement[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)/.exec(line);
    if (!m) throw new Error(`requirements.in: cannot parse ${JSON.stringify(raw)}`);
    const specifiers = m[2]
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s): [string, string] => {
        const spec = /^(===|==|!=|<=|>=|~=|<|>)\s*(\S+)$/.exec(s);
        if (!spec) throw new Error(`requirements.in: cannot parse specifier ${s} in ${raw}`);
        return [spec[1], spec[2]];
      });
    requirements.push({ name: normalize(m[1]), specifiers, line });
  }
  return requirements;
}

/** A PEP 440 version reduced to what these pins need: release numbers, then pre < final < post. */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^(\d+(?:\.\d+)*)(.*)$/.exec(v);
    if (!m) throw new Error(`unsupported version ${v}`);
    const suffix = m[2].toLowerCase();
    const rank = suffix === "" ? 0 : /^[-_.]?(post|rev|r)/.test(suffix) ? 1 : -1;
    return { release: m[1].split(".").map(Number), rank, suffix };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.release.length, y.release.length); i++) {
    const d = (x.release[i] ?? 0) - (y.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.rank !== y.rank) return Math.sign(x.rank - y.rank);
  return x.suffix.localeCompare(y.suffix, "en", { numeric: true });
}

function satisfies(version: string, [op, wanted]: [string, string]): boolean {
  if ((op === "==" || op === "!=") && wanted.endsWith(".*")) {
    const prefix = wanted.slice(0, -2).split(".");
    const matches = prefix.every((part, i) => version.split(".")[i] === part);
    return op === "==" ? matches : !matches;
  }
  const c = compareVersions(version, wanted);
  switch (op) {
    case "===":
      return version === wanted;
    case "==":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "~=": {
      const release = wanted.split(".");
      const prefix = release.slice(0, -1).join(".") + ".*";
      return c >= 0 && satisfies(version, ["==", prefix]);
    }
    default:
      throw new Error(`unsupported operator ${op}`);
  }
}

/** Runs a program of the venv from a scratch directory (nothing of the repository on sys.path). */
function runInVenv(program: string, args: string[]): string {
  const dir = labVenv();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "python-lock-"));
  try {
    const { stdout, stderr } = run(path.join(dir, "bin", program), args, {
      cwd: scratch,
      env: {
        ...process.env,
        PATH: `${path.join(dir, "bin")}:${process.env.PATH ?? ""}`,
        VIRTUAL_ENV: dir,
        PYTHONPATH: "",
        PREFECT_HOME: path.join(scratch, "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED: "false",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS: "false",
        MPLCONFIGDIR: path.join(scratch, "matplotlib"),
      },
      timeoutMs: 5 * 60 * 1000,
    });
    return stdout + stderr;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

describe("images/lab-runtime's Python lock", () => {
  it("is up to date with requirements.in (scripts/lock.sh --check)", () => {
    run("bash", [path.join(ROOT, "scripts/lock.sh"), "--check"], { cwd: ROOT });
  });

  it("pins every requirement of requirements.in at a version it allows (PySpark and Py4J in pyspark.lock)", () => {
    const requirements = parseRequirementsIn(fs.readFileSync(REQUIREMENTS_IN, "utf8"));
    const main = parseLock(MAIN_LOCK);
    const spark = parseLock(SPARK_LOCK);
    expect(requirements.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const req of requirements) {
      const lock = SPARK_PACKAGES.includes(req.name) ? spark : main;
      const entry = lock.get(req.name);
      if (!entry) {
        problems.push(
          `${req.line}: not in ${SPARK_PACKAGES.includes(req.name) ? "pyspark" : "requirements"}.lock`,
        );
        continue;
      }
      for (const spec of req.specifiers) {
        if (!satisfies(entry.version, spec))
          problems.push(`${req.line}: locked at ${entry.version}, outside ${spec.join("")}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("keeps PySpark and Py4J in pyspark.lock only (PySpark is built after the wheels)", () => {
    expect([...parseLock(SPARK_LOCK).keys()].sort()).toEqual([...SPARK_PACKAGES].sort());
    const main = parseLock(MAIN_LOCK);
    expect(SPARK_PACKAGES.filter((name) => main.has(name))).toEqual([]);
  });

  it("gives every entry of both locks at least one --hash=sha256:", () => {
    const unhashed: string[] = [];
    let entries = 0;
    for (const file of [MAIN_LOCK, SPARK_LOCK]) {
      for (const entry of parseLock(file).values()) {
        entries++;
        if (entry.hashes.length === 0)
          unhashed.push(`${path.basename(file)}: ${entry.name}==${entry.version}`);
      }
    }
    expect(entries).toBeGreaterThan(SPARK_PACKAGES.length);
    expect(unhashed).toEqual([]);
  });

  it("pins uv, which installs them (scripts/uv.sh), at one release with the hash of every file", () => {
    const uv = parseLock(path.join(ROOT, "scripts", "uv", "requirements.lock"));
    expect([...uv.keys()]).toEqual(["uv"]);
    expect(uv.get("uv")?.hashes.length).toBeGreaterThan(1);
  });
});

describe("the locked Python environment (scripts/python-env.sh)", () => {
  const pinned = (name: string) => lockedVersion(MAIN_LOCK, name);
  it("installs for the image's Python with hashes required, and the lab's modules import at the expected versions", () => {
    const script = [
      "import json, sys",
      "import mlflow, prefect, jupyterhub, streamlit, deltalake, pyspark, delta, sqlalchemy",
      "import psycopg2, asyncpg, kafka, sklearn, nbclient, numpy",
      "print(json.dumps({",
      "  'python': '%d.%d' % sys.version_info[:2],",
      "  'jupyterhub': jupyterhub.__version__,",
      "  'sqlalchemy': sqlalchemy.__version__,",
      "  'numpy': numpy.__version__,",
      "  'pyspark': pyspark.__version__,",
      "}))",
    ].join("\n");
    const output = runInVenv("python", ["-c", script]);
    const jsonLine = output
      .split("\n")
      .reverse()
      .find((l) => l.startsWith("{"));
    if (!jsonLine) throw new Error(`no version report from the venv's python:\n${tail(output)}`);
    const versions = JSON.parse(jsonLine) as Record<string, string>;
    expect(versions.python).toBe(lockedPython());
    expect(versions.jupyterhub).toBe(pinned("jupyterhub"));
    expect(versions.sqlalchemy).toMatch(/^2\.0\./);
    expect(versions.numpy).toBe(pinned("numpy"));
    expect(versions.pyspark).toBe(lockedVersion(SPARK_LOCK, "pyspark"));
  });

  it.each([
    { command: "mlflow server --help", expected: () => /--backend-store-uri/ },
    {
      command: "prefect version",
      expected: () => new RegExp(`Version:\\s+${pinned("prefect")}\\b`),
    },
    {
      command: "streamlit version",
      expected: () => new RegExp(`version ${pinned("streamlit")}\\b`),
    },
    {
      command: "jupyterhub --version",
      expected: () => new RegExp(`^${pinned("jupyterhub")}$`, "m"),
    },
  ])("`$command` runs in the venv", ({ command, expected }) => {
    const [program, ...args] = command.split(" ");
    expect(runInVenv(program, args)).toMatch(expected());
  });
});
