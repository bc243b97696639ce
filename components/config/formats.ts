/**
 * What a well-formed name or reference is, for the config schema's checks. Pure predicates, so the
 * schema reads as the list of keys and each rule of a format lives (and is tested) once.
 */

/**
 * An image reference pinned to a tag or digest: `latest`, or no tag at all, would make two
 * `pulumi up` runs deploy different software.
 */
export function isPinnedImage(ref: string): boolean {
  const [named, digest, ...more] = ref.split("@");
  // A digest, where there is one, is a whole sha256 one: a malformed digest never pulls.
  if (more.length > 0 || (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest))) {
    return false;
  }
  const name = named.slice(named.lastIndexOf("/") + 1);
  const tag = /^[a-z0-9][a-z0-9._-]*:([\w][\w.-]{0,127})$/.exec(name)?.[1];
  return !/\s/.test(ref) && (digest !== undefined || (!!tag && tag !== "latest"));
}

/**
 * A DNS name as Kubernetes takes it (RFC 1123 subdomain: lower case, labels of at most 63
 * characters that start and end with a letter or digit, at most 253 in all), or an IP address.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
 */
export const isDns1123Subdomain = (s: string) =>
  s.length <= 253 && s.split(".").every((label) => isDns1123Label(label));

/** A host name (see {@link isDns1123Subdomain}) or an IPv4 address. */
export const isHostName = (s: string) => isDns1123Subdomain(s);

/** A Kubernetes storage quantity in binary units, e.g. "10Gi". */
export const isSize = (s: string) => /^[1-9]\d*(Mi|Gi|Ti)$/.test(s);

/** A Kubernetes namespace name. */
export const isDns1123Label = (s: string) =>
  s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);

/** A registry host with an optional path, as an image reference starts. */
export const isRegistry = (s: string) => /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(s);

/**
 * S3's general purpose bucket naming rules: 3-63 of [a-z0-9.-], starting and ending with a letter
 * or digit, no "..", not formatted as an IP address, none of the reserved prefixes and suffixes.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export const isBucketName = (s: string) =>
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s) &&
  !s.includes("..") &&
  !/^\d+\.\d+\.\d+\.\d+$/.test(s) &&
  !/^(xn--|sthree-|amzn-s3-demo-)/.test(s) &&
  !/(-s3alias|--ol-s3|--x-s3|\.mrap)$/.test(s);

/**
 * Kafka's own rule: 1-249 of [a-zA-Z0-9._-], neither "." nor "..".
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/java/org/apache/kafka/common/internals/Topic.java
 */
export const isTopicName = (s: string) =>
  /^[a-zA-Z0-9._-]{1,249}$/.test(s) && s !== "." && s !== "..";

/**
 * Kafka's metrics replace "." with "_", so two topics that differ only there collide (the broker
 * refuses the second).
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/java/org/apache/kafka/common/internals/Topic.java
 */
export const topicCollisionKey = (s: string) => s.replace(/\./g, "_");

/** Namespaces Kubernetes itself uses: the lab never takes one over. */
export const isReservedNamespace = (s: string) => s === "default" || s.startsWith("kube-");

/**
 * The `postgres` image (from any registry or mirror) at a major version the lab runs: its tag
 * says which, so a digest alone is not enough.
 */
export function isPostgresImage(ref: string, majors: readonly number[]): boolean {
  const major = postgresMajor(ref);
  return (
    isPinnedImage(ref) &&
    repositoryAndTag(ref).repository === "postgres" &&
    major !== undefined &&
    majors.includes(major)
  );
}

/**
 * An image named `minio` (MinIO's own under any registry or namespace, or a fork that keeps its
 * interface and name), pinned: the lab needs MinIO's admin API, its health endpoints and its `mc`,
 * which another S3 server's image does not carry.
 */
export function isMinioImage(ref: string): boolean {
  return isPinnedImage(ref) && repositoryAndTag(ref).repository === "minio";
}

/** The PostgreSQL major version a `postgres` image's tag names (`postgres:17.11-bookworm` → 17). */
export function postgresMajor(ref: string): number | undefined {
  const m = /^(\d+)(?:[.-]|$)/.exec(repositoryAndTag(ref).tag ?? "");
  return m ? Number(m[1]) : undefined;
}

/** An image reference's last path segment and tag: `reg.io/lib/postgres:17@sha256:…` → postgres, 17. */
function repositoryAndTag(ref: string): { repository: string; tag?: string } {
  const named = ref.split("@")[0];
  const [repository, tag] = named.slice(named.lastIndexOf("/") + 1).split(":");
  return { repository, tag };
}
