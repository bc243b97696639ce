import { about, cpus, list, section, text } from "../config/fields";
import * as is from "../config/formats";
import { SIZE, STORAGE, memory } from "../config/serviceFields";
import * as lab from "../config/services";

const LAB_BUCKETS: readonly string[] = [...lab.MEDALLION_BUCKETS, ...lab.INTERNAL_BUCKETS];
const bucketProblem = (bucket: string, i: number, all: string[]) =>
  !is.isBucketName(bucket)
    ? "an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-', not an IP address, without S3's reserved prefixes (xn--, sthree-) and suffixes (-s3alias, --ol-s3)"
    : LAB_BUCKETS.includes(bucket)
      ? `a bucket other than ${LAB_BUCKETS.join(", ")}, which the lab always creates`
      : all.indexOf(bucket) !== i
        ? "each bucket once"
        : "";

/** The `minio` section of the stack config: MinIO's keys, defaults and what each does. */
export const MINIO_CONFIG = about(
  section({
    image: about(
      text("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", [
        'an image named minio (any registry or namespace: MinIO\'s own or a fork keeping its interface), pinned to a version tag or digest, e.g. "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z"',
        is.isMinioImage,
        "pinned image named `minio`",
      ]),
      "S3 server with MinIO's admin API (see [MinIO](versions.md#minio-is-unmaintained)); an image of another name (another S3 server) is refused.",
    ),
    buckets: about(
      list([], bucketProblem, "list of bucket names"),
      "Extra buckets on top of bronze, silver, gold (and mlflow); the `spark` identity gets read-write access. S3's naming rules apply (no IP-address form, no reserved prefix or suffix).",
    ),
    storageSize: about(text("20Gi", SIZE), STORAGE),
    memoryMiB: about(memory(768, "minio"), "Memory limit."),
    cpus: about(cpus(1), "CPU limit."),
  }),
  "MinIO (S3): image, extra buckets, PVC size, memory.",
  { note: "MinIO (S3): image, extra buckets, PVC size, memory." },
);
