import {
  MOCK_SECRET_MARKER,
  inventory,
  plaintextPaths,
  runProgram,
  type ProgramRun,
} from "./harness";
import { stackAccess } from "./declared";

/** Rules that hold on both stacks: what a user relies on whatever the target. */
describe.each(["dev", "k8s"])("%s stack invariants", (stack) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(stack);
  });

  it("no generated credential appears in plaintext in any registered input", () => {
    const leaks = run.registrations.flatMap((r) =>
      plaintextPaths(r.inputs, MOCK_SECRET_MARKER).map((p) => `${r.type}::${r.name}${p}`),
    );
    expect(leaks).toEqual([]);
  });

  it("the leak check can fail: it finds a credential outside a secret envelope", () => {
    expect(plaintextPaths({ envs: [`PW=${MOCK_SECRET_MARKER}-x`] }, MOCK_SECRET_MARKER)).toEqual([
      ".envs[0]",
    ]);
  });

  it("credentials leave the stack only as a secret output; other outputs carry none", () => {
    expect(run.outputs.credentials.secret).toBe(true);
    expect(JSON.stringify(run.outputs.credentials.value)).toContain(MOCK_SECRET_MARKER);
    for (const [key, out] of Object.entries(run.outputs)) {
      if (key === "credentials") continue;
      expect(JSON.stringify(out.value)).not.toContain(MOCK_SECRET_MARKER);
    }
  });

  it("every credential comes from @pulumi/random, each its own resource: the core's, one per database and identity, and each declared password", () => {
    const { databases, identities, passwords } = stackAccess(stack).access;
    const randoms = run.registrations.filter((r) => r.type.startsWith("random:index/"));
    expect(randoms.map((r) => r.name).sort()).toEqual(
      [
        // The core's: MinIO's root login, the identity that keeps the buckets, PostgreSQL's superuser.
        "minio-root-user",
        "minio-root-password",
        "s3-lab-buckets",
        "postgres-superuser",
        ...databases.map((d) => `db-${d.name}`),
        ...identities.map((i) => `s3-${i.name}`),
        ...passwords,
      ].sort(),
    );
    for (const r of randoms) {
      expect(r.inputs.special).toBe(false);
      expect(r.inputs.length).toBeGreaterThanOrEqual(16);
    }
  });

  it("every credential is a RandomPassword, the one kind whose value the real state stores encrypted", () => {
    // RandomString's `result`, RandomId's `hex` and `id`, and RandomBytes' `id` (its base64
    // value) are plaintext in the real state (the real-engine suite checks the exported state).
    const kinds = run.registrations
      .filter((r) => r.type.startsWith("random:index/"))
      .map((r) => r.type);
    expect([...new Set(kinds)]).toEqual(["random:index/randomPassword:RandomPassword"]);
  });

  it("every custom resource names an explicit provider, the lake's dynamic buckets included", () => {
    // The real engine applies `pulumi:disable-default-providers: ["*"]` to dynamic resources too
    // (package pulumi-nodejs): a bucket with no provider is refused by `pulumi preview`.
    const implicit = run.registrations
      .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !r.provider)
      .map((r) => `${r.type}::${r.name}`);
    expect(implicit).toEqual([]);
  });

  it("is deterministic: a second run with the same config registers identical resources", async () => {
    const again = await runProgram(stack);
    expect(inventory(again)).toEqual(inventory(run));
  });

  it("matches the reviewed inventory (a redacted, sorted preview of every resource)", () => {
    expect(inventory(run)).toMatchSnapshot();
  });
});
