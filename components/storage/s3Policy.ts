/** What one MinIO identity may touch. */
export interface BucketAccess {
  /** Buckets it may list, read, write and delete objects in. */
  readonly readWrite: readonly string[];
  /** Buckets it may list and read. */
  readonly readOnly: readonly string[];
}

/**
 * IAM policy document of the identity `pulumi up` manages the lake's buckets with (LakeBucket):
 * create, find, list (with versions, to keep a bucket holding data) and delete buckets, and nothing
 * else: no object read or write, no admin action. Any bucket of this MinIO, not only the declared
 * ones: a bucket taken out of `minio.buckets` is deleted after every update of the run, the
 * policy's included, and must still be within reach then.
 */
export const BUCKET_KEEPER_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "KeepBuckets",
      Effect: "Allow",
      Action: [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:ListBucketVersions",
      ],
      Resource: ["arn:aws:s3:::*"],
    },
  ],
});

/**
 * IAM policy document (S3 dialect, as MinIO reads it) granting exactly `access`: no bucket
 * creation or deletion, no admin actions, nothing outside the named buckets. Lists are sorted so the
 * document, and the preview diff, only change when access does.
 * @see https://min.io/docs/minio/linux/administration/identity-access-management/policy-based-access-control.html
 */
export function bucketPolicy(access: BucketAccess): string {
  const rw = [...new Set(access.readWrite)].sort();
  const ro = [...new Set(access.readOnly)].filter((b) => !rw.includes(b)).sort();
  const all = [...rw, ...ro].sort();
  if (all.length === 0) {
    throw new Error("a bucket policy needs at least one bucket");
  }
  const buckets = (names: string[]) => names.map((b) => `arn:aws:s3:::${b}`);
  const objects = (names: string[]) => names.map((b) => `arn:aws:s3:::${b}/*`);
  const statements: object[] = [
    {
      Sid: "ListBuckets",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: buckets(all),
    },
    { Sid: "ReadObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: objects(all) },
  ];
  if (rw.length > 0) {
    statements.push({
      Sid: "WriteObjects",
      Effect: "Allow",
      Action: [
        "s3:AbortMultipartUpload",
        "s3:DeleteObject",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
      ],
      Resource: objects(rw),
    });
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
