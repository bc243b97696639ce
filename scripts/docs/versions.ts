/**
 * docs/versions.md's table: each component as the seed had it, what the lab runs, until when that
 * is supported and why it differs. What the lab runs is never typed here: each row's `lab` is a
 * function of the pins, read where the lab pins them (`labPins`), and a row that names something
 * the lab does not pin fails the generation, naming the row. The rest of each row (the seed, the
 * support end, the reasons) is written here by hand; a support end that is a release line's is
 * recorded for that line, so a pin moving to another line fails until its date is looked up.
 *
 * The numbers in the reasons are facts about upstream (what is on PyPI, what a release changed) and
 * stay prose: reread a row's reasons when its pins move.
 */
import * as path from "path";
import { parseConfig } from "../../components/config";
import { SERVICE_IMAGES } from "../../components/images";
import {
  baseImages,
  coordinates,
  normalize,
  npmLockedVersion,
  parseLock,
  pinnedJars,
  REPO_ROOT,
  type MavenCoordinates,
} from "../pins";

/** What the lab pins, by name. Each lookup throws, saying where it looked, for a name not pinned. */
export interface Pins {
  /**
   * An upstream image the program runs, as it pins it: `SERVICE_IMAGES` (components/images.ts) by
   * its key, or a config section's default `image` (`postgres`, `minio`) by the section's name.
   */
  image(name: string): string;
  /** A Python package's version in the lab runtime's locks (requirements.lock, pyspark.lock). */
  python(name: string): string;
  /**
   * A jar the lab runtime's Dockerfile adds to Spark, by its artifact (a Scala build's suffix may
   * be left out: `delta-spark` is `delta-spark_4.2_2.13`).
   */
  jar(artifact: string): MavenCoordinates;
  /**
   * The image a stage of the lab runtime's Dockerfile starts from, by its repository (`node`) and,
   * where stages share one, a part of its tag (`-jre-`).
   */
  base(repository: string, tagPart?: string): string;
  /** A package's version in JupyterHub's proxy's npm lock (images/lab-runtime/proxy). */
  npm(name: string): string;
}

/** A row of the table. A cell given as a function is computed from the pins. */
export interface Row {
  readonly component: string;
  /** What the seed ran ("—": nothing). */
  readonly seed: string;
  /** What the lab runs: every version in it from `pins`. */
  readonly lab: (pins: Pins) => string;
  /** Until when it is supported, as the project states it ("—": no date published). */
  readonly supportEnds: string | ((pins: Pins) => string);
  readonly why: string | ((pins: Pins) => string);
}

/** The tag of an image reference (`postgres:17.11@sha256:…` → `17.11`). */
export function tagOf(image: string): string {
  const name = image.split("@")[0];
  const colon = name.lastIndexOf(":");
  if (colon < 0 || colon < name.lastIndexOf("/")) throw new Error(`${image} has no tag`);
  return name.slice(colon + 1);
}

/**
 * The dotted number a version or tag starts with, cut to its first `parts` numbers:
 * `release("17.0.20_8-jre-noble", 1)` is `17`, `release("2.3.3", 2)` is `2.3`.
 */
export function release(version: string, parts?: number): string {
  const numbers = /^\d+(?:\.\d+)*/.exec(version)?.[0].split(".") ?? [];
  if (numbers.length === 0 || numbers.length < (parts ?? 1)) {
    throw new Error(`${version} does not start with ${parts ?? 1} dotted number(s)`);
  }
  return numbers.slice(0, parts).join(".");
}

/** The support end recorded for `what`'s release line `line`; fails for a line not recorded. */
export function supportOf(what: string, line: string, recorded: Record<string, string>): string {
  const end = recorded[line];
  if (end === undefined) {
    throw new Error(
      `no support end recorded for ${what} ${line} (recorded: ${Object.keys(recorded).join(", ")}): ` +
        "look it up and record it",
    );
  }
  return end;
}

/** `artifact:version`. */
const coordinate = (jar: MavenCoordinates) => `${jar.artifactId}:${jar.version}`;

/** The one version of jars a row names together; fails if they are not one release. */
function oneVersion(...jars: MavenCoordinates[]): string {
  const versions = new Set(jars.map((j) => j.version));
  if (versions.size !== 1) {
    throw new Error(`${jars.map(coordinate).join(", ")} are named as one release`);
  }
  return jars[0].version;
}

export const ROWS: readonly Row[] = [
  {
    component: "Spark",
    seed: "3.5.1",
    lab: (p) =>
      `Spark ${p.python("pyspark")} (PySpark's PyPI release, which carries the distribution's jars and scripts; \`images/lab-runtime\`)`,
    supportEnds: (p) => {
      const line = release(p.python("pyspark"), 2);
      return `${line}: ${supportOf("Spark", line, {
        "4.2": "about 18 months after its 2026-07 release (Spark's versioning policy)",
      })}`;
    },
    why: "The 3.5 line's support ended 2026-04-12. 4.2.0 is the newest Spark the newest Delta is built for (4.2.1 is outside delta-spark's `pyspark<=4.2.0`, 4.3 unsupported). Spark 4 runs SQL in ANSI mode: the silver validation uses `try_to_timestamp` and `try_cast`, so a malformed value is a rejected row, not a failed job.",
  },
  {
    component: "Lab runtime base",
    seed: "—",
    lab: (p) => {
      const jre = p.base("eclipse-temurin", "-jre-");
      return `\`${p.base("python")}\` + Temurin's JRE ${release(tagOf(jre), 1)} (\`${jre}\`)`;
    },
    supportEnds: (p) => {
      const python = release(tagOf(p.base("python")), 2);
      const java = release(tagOf(p.base("eclipse-temurin", "-jre-")), 1);
      return (
        `Python ${python}: ${supportOf("Python", python, { "3.12": "2028-10" })}; ` +
        `Temurin ${java}: ${supportOf("Temurin", java, { "17": "2027-10 at least" })}`
      );
    },
    why: "Every official `apache/spark` 4.x image is on Ubuntu 22.04 with its Python 3.10 (end of life 2026-10; apache/spark-docker#132 is open). Java 17 is what the real-services suite runs Spark on.",
  },
  {
    component: "Delta Lake",
    seed: "3.3.1",
    lab: (p) => {
      const delta = oneVersion(
        p.jar("delta-storage"),
        p.jar("delta-kernel-api"),
        p.jar("delta-kernel-defaults"),
        p.jar("delta-kernel-unitycatalog"),
      );
      const unity = oneVersion(p.jar("unitycatalog-client"), p.jar("unitycatalog-hadoop"));
      return (
        `\`${coordinate(p.jar("delta-spark"))}\` + delta-storage, ` +
        `delta-kernel-{api,defaults,unitycatalog} ${delta}, unitycatalog-{client,hadoop} ${unity}; ` +
        `\`delta-spark==${p.python("delta-spark")}\` for Python`
      );
    },
    supportEnds: "—",
    why: "The build for Spark 4.2 (Delta's `CrossSparkVersions`); from 4.2 Delta runs on its Kernel and Unity Catalog's client. 4.4.1 is on PyPI but its jars are not on Maven Central, and `configure_spark_with_delta_pip` asks for the jar of its own version.",
  },
  {
    component: "S3A",
    seed: "—",
    lab: (p) => {
      const sdk = p.jar("bundle");
      return (
        `\`${coordinate(p.jar("hadoop-aws"))}\` + AWS SDK v${release(sdk.version, 1)} ` +
        `\`${coordinate(sdk)}\` + \`${coordinate(p.jar("analyticsaccelerator-s3"))}\``
      );
    },
    supportEnds: "—",
    why: "Spark 4.2's Hadoop. The SDK bundle is 654 MiB, most of the image: hadoop-aws declares it alone (every dependency excluded); swapping it for the SDK modules S3A loads is not done, since nothing here would prove that set complete.",
  },
  {
    component: "MinIO",
    seed: "`bitnami/minio:latest`",
    lab: (p) => `\`${p.image("minio")}\``,
    supportEnds: "unmaintained (below)",
    why: "Bitnami's images were withdrawn (2025); the Docker Hub repository is gone (2026); the last tag with the full admin console.",
  },
  {
    component: "PostgreSQL",
    seed: "—",
    lab: (p) => `\`${p.image("postgres")}\``,
    supportEnds: (p) =>
      supportOf("PostgreSQL", release(tagOf(p.image("postgres")), 1), { "17": "2029-11" }),
    why: "Metadata DB for MLflow, Prefect, JupyterHub. 18 moved PGDATA and the volume (`/var/lib/postgresql/18/docker`), and its entrypoint refuses a volume at the old path: 17 keeps the layout of the lab's volumes. A kept data directory opens only in the major that wrote it, and the image has no in-place upgrade: a change of major is refused at preview ([Upgrading PostgreSQL](lifecycle.md#upgrading-postgresql)). The real-services suite runs 17.11 itself (Maven Central's embedded-postgres build of it).",
  },
  {
    component: "MLflow",
    seed: "2.22.0",
    lab: (p) =>
      `\`mlflow[auth]==${p.python("mlflow")}\` in the lab runtime (server and clients), psycopg2-binary, boto3`,
    supportEnds: "— (2.x gets no features)",
    why: "3.18.0 is on PyPI but its `mlflow-tracing==3.18.0` is not, so 3.17.2 is the newest that installs. MLflow 3 answers only the Host headers it allows (`MLFLOW_SERVER_ALLOWED_HOSTS`: the service's name and where it is published) and refuses an older schema: the server runs `mlflow db upgrade` before it starts, so a kept MLflow 2 store is migrated. Its login is on (`--app-name basic-auth`, users in the same database): `admin` for people, `lab` (not an admin: it owns the experiments it creates, reads the rest) for the notebooks and flows (`MLFLOW_TRACKING_USERNAME`/`_PASSWORD`). Both passwords are generated, and written into MLflow's user store before each start (`services/mlflow/ensure-users.py`), since MLflow creates its admin only on an empty store and ignores a changed password after. Its job runner (GenAI scorers, which the lab does not use) is off: its Huey consumers took 2.2 GB.",
  },
  {
    component: "Prefect",
    seed: "3.4.1",
    lab: (p) => `\`prefect==${p.python("prefect")}\` in the lab runtime (server and worker)`,
    supportEnds: "—",
    why: "3.9 needs Python ≥ 3.11; it pins its own FastAPI range (`<0.151`), so the lab's cap for 3.4.1 is gone.",
  },
  {
    component: "JupyterHub",
    seed: "4.0.2",
    lab: (p) => {
      const node = p.base("node");
      return (
        `\`jupyterhub==${p.python("jupyterhub")}\` + JupyterLab ${p.python("jupyterlab")} in the lab runtime; ` +
        `its proxy configurable-http-proxy ${p.npm("configurable-http-proxy")} on Node.js ${release(tagOf(node))} (\`${node}\`)`
      );
    },
    supportEnds: "—",
    why: "Releases with the published security fixes (5.4.4: CVE-2026-33709; 5.5.1, 6.1.0: further advisories; JupyterLab 4.2.5 to 4.6.2: CVE-2024-43805, CVE-2025-59842, CVE-2026-40171, CVE-2026-42557, DOMPurify's XSS). The hub migrates its kept database on start (`upgrade_db`; 6.x adds revisions). Node 20 reached its end of life in April 2026.",
  },
  {
    component: "Streamlit",
    seed: "1.45.0",
    lab: (p) =>
      `\`streamlit==${p.python("streamlit")}\` + deltalake ${p.python("deltalake")} in the lab runtime`,
    supportEnds: "—",
    why: "No official image; one runtime for every Python service. 1.67 needs Python ≥ 3.11.",
  },
  {
    component: "Python packages",
    seed: "—",
    lab: (p) =>
      "the whole tree locked with hashes in `images/lab-runtime/requirements.lock` (" +
      `NumPy ${release(p.python("numpy"), 1)}, pandas ${release(p.python("pandas"), 2)}, ` +
      `PyArrow ${release(p.python("pyarrow"), 1)}, SQLAlchemy ${release(p.python("sqlalchemy"), 2)}.x; ` +
      "every database URL names its driver, `postgresql+psycopg2://` or `+asyncpg`)",
    supportEnds: "—",
    why: (p) =>
      "PySpark 4.2 warns that it does not yet fully support pandas 3; MLflow 3.17 holds PyArrow below 26; SQLAlchemy 2.1 makes a bare `postgresql://` mean psycopg 3, which the runtime does not carry. " +
      `\`kafka-python\` ${release(p.python("kafka-python"), 2)} (2.0.2 does not import on Python 3.12).`,
  },
  {
    component: "NiFi",
    seed: "2.4.0",
    lab: (p) => `\`${p.image("nifi")}\``,
    supportEnds: "—",
    why: "The newest release (tag `rel/nifi-2.11.0`). The flow definition was re-checked against its source: bundles at 2.11.0, properties under their 2.11 names (2.7 renamed the AWS credentials' and PutS3Object's, e.g. `Access Key` → `Access Key ID`; GenerateFlowFile's `generate-ff-custom-text` → `Custom Text`), the upload and parameter-context REST endpoints `import-flow.py` uses unchanged, the image's scripts changed only in cluster settings. The flow has no Kafka processor (2.11 defaults Kafka's `security.protocol` to SSL). Not run here: no registry this machine reaches serves NiFi, so the Docker Hub tag follows NiFi's release naming, unverified.",
  },
  {
    component: "Kafka",
    seed: "Confluent 7.5.0",
    lab: (p) => `\`${p.image("kafka")}\`, KRaft (no ZooKeeper)`,
    supportEnds: "—",
    why: "Confluent 7.5 is out of support since 2026-08. Apache's own image runs the release the real-services suite runs from Maven Central, and its setup (`KafkaDockerWrapper`) is in the release's jars, so the suite runs that very code.",
  },
  {
    component: "Kafka UI",
    seed: "provectus",
    lab: (p) => `\`${p.image("kafkaUi")}\``,
    supportEnds: "—",
    why: "provectus is unmaintained; 1.5.0 keeps 1.4.2's environment names and its busybox `wget` for the health check, and reads Kafka 4 brokers.",
  },
];

/** The repository of an image, without its registry, namespace, tag or digest: `node` of `node:22`. */
function repositoryOf(image: string): string {
  const name = image.split("@")[0].replace(/:[^:/]*$/, "");
  return name.slice(name.lastIndexOf("/") + 1);
}

/** The pins of the checkout at `root` (the images from this checkout's program). */
export function labPins(root: string = REPO_ROOT): Pins {
  const runtime = path.join(root, "images", "lab-runtime");
  const dockerfile = path.join(runtime, "Dockerfile");
  const shown = (file: string) => path.relative(root, file);

  const python = new Map<string, string>();
  const locks = ["requirements.lock", "pyspark.lock"].map((f) => path.join(runtime, f));
  for (const lock of locks) {
    for (const { name, version } of parseLock(lock).values()) {
      if (python.has(name)) throw new Error(`${name} is locked in both ${locks.map(shown)}`);
      python.set(name, version);
    }
  }

  // The config's default images, by section (postgres.image → postgres), beside SERVICE_IMAGES.
  const images = new Map<string, string>(Object.entries(SERVICE_IMAGES));
  for (const [section, value] of Object.entries(parseConfig({}, "dev"))) {
    const image = (value as { image?: unknown } | undefined)?.image;
    if (typeof image !== "string") continue;
    if (images.has(section) && images.get(section) !== image) {
      throw new Error(
        `${section}'s image is pinned twice: ${images.get(section)} in SERVICE_IMAGES, ${image} as the config's default`,
      );
    }
    images.set(section, image);
  }

  const jars = pinnedJars(dockerfile).map((j) => coordinates(j.path));
  const bases = baseImages(dockerfile);

  return {
    image(name) {
      const image = images.get(name);
      if (!image) {
        throw new Error(
          `the program pins no image "${name}" (SERVICE_IMAGES in components/images.ts, or a config ` +
            `section's default image: ${[...images.keys()].join(", ")})`,
        );
      }
      return image;
    },
    python(name) {
      const version = python.get(normalize(name));
      if (!version) throw new Error(`${locks.map(shown).join(" and ")} pin no ${name}`);
      return version;
    },
    jar(artifact) {
      const found = jars.filter(
        (j) => j.artifactId === artifact || j.artifactId.startsWith(`${artifact}_`),
      );
      if (found.length !== 1) {
        throw new Error(
          found.length
            ? `${shown(dockerfile)} pins ${found.length} jars named ${artifact}: ${found.map(coordinate).join(", ")}`
            : `${shown(dockerfile)} pins no jar ${artifact} (it pins ${jars.map((j) => j.artifactId).join(", ")})`,
        );
      }
      return found[0];
    },
    base(repository, tagPart = "") {
      const found = bases.filter(
        (b) => repositoryOf(b) === repository && tagOf(b).includes(tagPart),
      );
      if (found.length !== 1) {
        throw new Error(
          `${shown(dockerfile)} has ${found.length || "no"} FROM ${repository}:<tag${tagPart ? ` with ${tagPart}` : ""}> (its stages start from ${bases.join(", ")})`,
        );
      }
      return found[0];
    },
    npm(name) {
      return npmLockedVersion(name, path.join(runtime, "proxy", "package-lock.json"));
    },
  };
}

/** The table, every row's cells computed from `pins`; a failing row is named. */
export function versionsTable(pins: Pins, rows: readonly Row[] = ROWS): string {
  const body = rows.map((row) => {
    try {
      const cells = [row.component, row.seed, row.lab(pins), row.supportEnds, row.why].map((c) =>
        typeof c === "function" ? c(pins) : c,
      );
      const broken = cells.find((c) => /\n|(?<!\\)\|/.test(c));
      if (broken !== undefined) throw new Error(`a cell holds a line break or a bare |: ${broken}`);
      return `| ${cells.join(" | ")} |`;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(`docs/versions.md, row ${row.component} (scripts/docs/versions.ts): ${why}`);
    }
  });
  return [
    "| Component | Seed | Lab | Support ends | Why it differs |",
    "|---|---|---|---|---|",
    ...body,
  ].join("\n");
}
