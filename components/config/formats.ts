/**
 * What a well-formed name or reference is, for the config schema's checks. Pure predicates, so the
 * schema reads as the list of keys and each rule of a format lives (and is tested) once.
 */

/**
 * An image reference pinned to a tag or digest: `latest`, or no tag at all, would make two
 * `pulumi up` runs deploy different software.
 */
export function isPinnedImage(ref: string): boolean {
  const name = ref.slice(ref.lastIndexOf("/") + 1).split("@")[0];
  const tag = /^[a-z0-9][a-z0-9._-]*:([\w][\w.-]{0,127})$/.exec(name)?.[1];
  return !/\s/.test(ref) && (/@sha256:[a-f0-9]{64}$/.test(ref) || (!!tag && tag !== "latest"));
}

export const isHostName = (s: string) => /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(s);

/** A Kubernetes storage quantity in binary units, e.g. "10Gi". */
export const isSize = (s: string) => /^[1-9]\d*(Mi|Gi|Ti)$/.test(s);

/** A Kubernetes namespace name. */
export const isDns1123Label = (s: string) =>
  s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);

/** A registry host with an optional path, as an image reference starts. */
export const isRegistry = (s: string) => /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(s);

/** @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
export const isBucketName = (s: string) =>
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s) && !s.includes("..");

/**
 * Kafka's own rule: 1-249 of [a-zA-Z0-9._-], neither "." nor "..".
 * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/java/org/apache/kafka/common/internals/Topic.java
 */
export const isTopicName = (s: string) =>
  /^[a-zA-Z0-9._-]{1,249}$/.test(s) && s !== "." && s !== "..";
