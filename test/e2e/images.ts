/**
 * The one hand-written part of the real-services suite: for each image the lab runs, where its
 * files, its ENV, its default entrypoint and its user come from on this machine. Everything else
 * (commands, env, files, health checks, ports, volumes) is the program's, read from what it
 * registers (wiring.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../harness";
import type { Installs } from "./installs";

export interface ImageUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface LocalImage {
  /** Image paths → local directories, overlaid (writable, per container) at that path. */
  readonly mounts: Record<string, string>;
  /** Of those, the ones the image gives its user (its Dockerfile's `chown`). */
  readonly owned?: string[];
  /** The image's own ENV, with local values. */
  readonly env: Record<string, string>;
  /** The image's ENTRYPOINT and CMD, used where the container sets none. */
  readonly entrypoint: string[];
  readonly cmd: string[];
  /** The user Docker runs it as (the image's USER), unless the container says root. */
  readonly user?: ImageUser;
  /** Users the image's /etc/passwd has that this machine's may not. */
  readonly users: ImageUser[];
  readonly workdir: string;
  /** The image's STOPSIGNAL. @default "SIGTERM" (Docker's, when the image sets none) */
  readonly stopSignal?: NodeJS.Signals;
}

const E2E_IMAGES = path.join(REPO_ROOT, "test/e2e/images");
/** A mount that starts as an empty directory owned by the image's user (the image made it so). */
export const EMPTY = "";
const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A user of this machine (created by a Debian package, e.g. `postgres`). */
function hostUser(name: string): ImageUser {
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no user ${name} on this machine`);
  const [, , uid, gid, , home] = line.split(":");
  return { name, uid: Number(uid), gid: Number(gid), home };
}

/** The Dockerfile's `useradd --system --uid=185 --gid=spark -d /nonexistent spark`. */
const SPARK: ImageUser = { name: "spark", uid: 185, gid: 185, home: "/nonexistent" };
/** The Dockerfile's `useradd --uid=1000 --gid=admin --create-home --home-dir=/home/admin admin`. */
const ADMIN: ImageUser = { name: "admin", uid: 1000, gid: 1000, home: "/home/admin" };
/** apache/kafka's Dockerfile: `adduser -h /home/appuser -D --shell /bin/bash appuser` (Alpine's first
 * free ids, 1000). */
const APPUSER: ImageUser = { name: "appuser", uid: 1000, gid: 1000, home: "/home/appuser" };

/** By the image resource name the program registers (`lab-runtime`, built; or the service it pulls for). */
export function localImages(i: Installs): Record<string, LocalImage> {
  return {
    // images/lab-runtime/Dockerfile: python:3.12-slim-bookworm with Temurin's JRE 17 and Spark from
    // the locked PySpark (/opt/spark: its bin and sbin, its jars and the pinned ones).
    "lab-runtime": {
      mounts: { "/opt/spark": i.sparkHome, "/opt/lab": path.join(REPO_ROOT, "lab") },
      // The Dockerfile's `chown spark:spark /opt/spark …` (the worker writes /opt/spark/work).
      owned: ["/opt/spark"],
      env: {
        // The Dockerfile's JAVA_HOME and PATH (Temurin's JRE); the venv stands for the image's
        // system Python, the proxy's Node for /usr/local/bin/node.
        JAVA_HOME: i.javaHome,
        PATH: [
          path.join(i.venv, "bin"),
          ...i.proxyPath,
          path.join(i.javaHome, "bin"),
          BASE_PATH,
        ].join(":"),
        SPARK_HOME: "/opt/spark",
        PYSPARK_PYTHON: "python3",
        SPARK_CONF_DIR: "/opt/spark/conf",
        LANG: "C.UTF-8",
      },
      // The image sets no ENTRYPOINT or CMD: the platform gives every container its command.
      entrypoint: [],
      cmd: [],
      user: SPARK,
      users: [SPARK, ADMIN],
      workdir: "/opt/spark/work-dir",
    },
    // postgres:17.11-bookworm: docker-entrypoint.sh initialises PGDATA from POSTGRES_* and execs
    // `postgres` as the postgres user; the server is 17.11 itself (prereqs/postgres.sh), psql and
    // pg_isready are Debian's 15 (on BASE_PATH).
    postgres: {
      mounts: { "/docker-entrypoint": E2E_IMAGES },
      // The image generates en_US.utf8; this machine has C.UTF-8 (the same encoding).
      env: { PATH: [i.pgBin, BASE_PATH].join(":"), LANG: "C.UTF-8" },
      entrypoint: ["/docker-entrypoint/postgres-entrypoint.sh"],
      // "STOPSIGNAL SIGINT": PostgreSQL's fast shutdown (docker-library/postgres 17/bookworm/Dockerfile).
      stopSignal: "SIGINT",
      cmd: ["postgres"],
      user: hostUser("postgres"),
      users: [],
      workdir: "/",
    },
    // quay.io/minio/minio: ENTRYPOINT docker-entrypoint.sh, which runs `minio "$@"`; runs as root.
    minio: {
      mounts: {},
      env: { PATH: [path.dirname(i.minioBin), path.dirname(i.mcBin), BASE_PATH].join(":") },
      entrypoint: ["minio"],
      cmd: [],
      users: [],
      workdir: "/",
    },
    // apache/kafka:4.4.0: CMD /etc/kafka/docker/run (its configure checks, then the release's own
    // KafkaDockerWrapper writes /opt/kafka/config and formats storage) as appuser.
    kafka: {
      // The release's tools (/opt/kafka/bin/*.sh) and the image's defaults (/etc/kafka/docker);
      // the shims find kafka-run.sh through E2E_PREREQS, at a path of the container's own: the
      // repository may be under /tmp, which the container replaces with its own.
      mounts: {
        "/opt/kafka/bin": path.join(REPO_ROOT, "test/e2e/prereqs/bin"),
        "/opt/kafka/config": EMPTY,
        "/etc/kafka/docker": path.join(i.kafkaHome, "docker"),
        "/mnt/shared/config": EMPTY,
        "/docker-entrypoint": E2E_IMAGES,
        "/opt/e2e-prereqs": path.join(REPO_ROOT, "test/e2e/prereqs"),
      },
      env: {
        // eclipse-temurin's PATH (the image adds no /opt/kafka/bin to it).
        PATH: [path.join(i.javaHome, "bin"), BASE_PATH].join(":"),
        E2E_KAFKA_HOME: i.kafkaHome,
        E2E_PREREQS: "/opt/e2e-prereqs",
      },
      entrypoint: [],
      cmd: ["/docker-entrypoint/kafka-run.sh"],
      user: APPUSER,
      users: [APPUSER],
      workdir: "/",
    },
  };
}

/** Images no registry this machine reaches serves a runnable build of. */
export const NOT_RUNNABLE: Record<string, string> = {
  nifi: "apache/nifi:2.11.0 is a release archive (Apache's download site), on no registry this machine reaches",
  "kafka-ui":
    "ghcr.io/kafbat/kafka-ui:v1.5.0 is a GitHub release jar, on no registry this machine reaches",
};
