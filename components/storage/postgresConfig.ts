import { about, cpus, flag, section, text } from "../config/fields";
import * as is from "../config/formats";
import { SIZE, STORAGE, memory } from "../config/serviceFields";

/** The `postgres` section of the stack config: PostgreSQL's keys, defaults and what each does. */
export const POSTGRES_CONFIG = about(
  section({
    image: about(
      text("postgres:17.11-bookworm", [
        'the postgres image at major 16 or 17, pinned by its version tag (e.g. "postgres:17.11-bookworm", or with a digest "postgres:17.11@sha256:…"); 18 moved PGDATA',
        (s) => is.isPostgresImage(s, [16, 17]),
        "pinned image",
      ]),
      "The `postgres` image (any registry) at 16 or 17, pinned by its version tag (18 moved PGDATA). A major other than the kept data's is refused at preview (see [Upgrading PostgreSQL](lifecycle.md#upgrading-postgresql)).",
    ),
    allowMajorChange: about(
      flag().default(false),
      "Accept a major version other than the one the kept data was written by, for the one `up` after moving the data yourself.",
    ),
    storageSize: about(text("5Gi", SIZE), STORAGE),
    memoryMiB: about(memory(256, "postgres"), "Memory limit."),
    cpus: about(
      cpus(1),
      "CPU limit (every `*.cpus` / `*Cpus` key: a number in steps of 0.1; Docker refuses more than the host has).",
    ),
  }),
  "PostgreSQL (metadata databases): image, PVC size, memory.",
  { note: "PostgreSQL (metadata databases): image, PVC size, memory." },
);
