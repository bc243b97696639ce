/**
 * A lab's life after its first `pulumi up`, under the mock runtime with what `pulumi destroy` kept
 * modelled as the providers see it (keptWorld.ts): the next `up` after a destroy, services switched
 * off and on again, a bucket removed and added back, Spark's workers down to zero and back, and one
 * credential rotated. The real-services suite restarts the real services on kept data.
 */
import { inventory, markedSecret, runProgram, unsecret, type ProgramRun } from "./harness";
import { keptAfterDestroy, LAKE_BUCKET, playCreate, without } from "./keptWorld";

const TOGGLES = ["mlflow", "prefect", "jupyterhub", "nifi", "kafka", "streamlit"];
/** A lab in use: an extra bucket on top of the defaults. */
const IN_USE = { minio: { buckets: ["raw-landing"] } };
/** Every service that can be switched off, off; the extra bucket dropped; no Spark workers. */
const REDUCED = {
  ...Object.fromEntries(TOGGLES.map((t) => [t, { enabled: false }])),
  minio: { buckets: [] },
  spark: { workers: 0 },
};
/** A new stack's credentials: @pulumi/random makes them anew after a destroy. */
const fresh = (name: string) => markedSecret(`again-${name}`);

const buckets = (run: ProgramRun) =>
  run.registrations
    .filter((r) => r.type === LAKE_BUCKET)
    .map((r) => r.inputs.bucket)
    .sort();

describe.each(["dev", "k8s"])("%s stack lifecycle", (stack) => {
  let first: ProgramRun;
  beforeAll(async () => {
    first = await runProgram(stack, IN_USE);
  });

  it("up → destroy → up: everything destroy kept is found again, with new credentials", async () => {
    const world = keptAfterDestroy(first);
    expect(world.buckets.size).toBe(5);
    const again = await runProgram(stack, IN_USE, [], fresh, playCreate(world));
    expect(inventory(again)).toEqual(inventory(first));
    expect(world.adopted.sort()).toEqual(buckets(first));
    // The data is still in them: adopting empties nothing.
    expect([...world.buckets.values()].every((objects) => objects === 3)).toBe(true);
  });

  it("services off and on, a bucket removed and added back, Spark's workers 0 and back", async () => {
    const reduced = await runProgram(stack, REDUCED);
    expect(buckets(reduced)).toEqual(["bronze", "gold", "silver"]);
    // What the reduced lab no longer manages but kept (the mlflow and raw-landing buckets, the
    // switched-off services' volumes) is outside the state when they come back.
    const world = without(keptAfterDestroy(first), reduced);
    expect([...world.buckets.keys()].sort()).toEqual(["mlflow", "raw-landing"]);
    const back = await runProgram(stack, IN_USE, [], markedSecret, playCreate(world));
    expect(inventory(back)).toEqual(inventory(first));
    expect(world.adopted.sort()).toEqual(["mlflow", "raw-landing"]);
  });

  it("rotating one credential changes only what holds it", async () => {
    const rotated = await runProgram(stack, IN_USE, [], (name) =>
      markedSecret(name === "s3-spark" ? "rotated-s3-spark" : name),
    );
    const old = markedSecret("s3-spark");
    const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    const before = new Map(
      first.registrations.map((r) => [key(r), JSON.stringify(unsecret(r.inputs))]),
    );
    const changed = rotated.registrations
      .filter((r) => before.get(key(r)) !== JSON.stringify(unsecret(r.inputs)))
      .map(key)
      .sort();
    const holders = first.registrations
      .filter((r) => JSON.stringify(unsecret(r.inputs)).includes(old))
      .map(key)
      .sort();
    expect(changed).toEqual(holders);
    // Spark's identity: MinIO's user, and the Spark clients' settings; never the lake's other
    // users, PostgreSQL, MLflow or the dashboard.
    const names = changed.map((k) => k.slice(k.lastIndexOf("::") + 2));
    expect(names).toContain("spark");
    for (const untouched of ["postgres", "mlflow", "streamlit", "minio", "kafka"]) {
      expect(names).not.toContain(untouched);
    }
  });
});
