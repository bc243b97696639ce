/**
 * The lab component and its switches: which services and resources each toggle adds, built as
 * `stacks/index.ts` builds it (config → platform → DataFlowLab) but without a fresh SDK per
 * variant. One whole-program evaluation per stack proves the construction registers exactly what
 * the program does, so the comparisons below mean the same as on the program.
 */
import type { DataFlowLab } from "./lab";
import { LAB_SERVICES } from "./labServices";
import { construct, type Constructed } from "../test/componentHarness";
import { lab } from "../test/declared";
import { inventory, runProgram, unsecret, type Registration } from "../test/harness";

const built = (stack: string, overrides: Record<string, unknown> = {}) =>
  construct(stack, overrides, (config) => lab(config));
const defaults: Record<string, Promise<Constructed<DataFlowLab>>> = {};
const defaultLab = (stack: string) => (defaults[stack] ??= built(stack));

describe.each(["dev", "k8s"])("%s: the lab built alone", (stack) => {
  it("registers exactly what the whole program registers (inputs and parents included)", async () => {
    // One after the other: the SDK's runtime state is per process, so runs must not overlap.
    const program = await runProgram(stack);
    const alone = await defaultLab(stack);
    expect(inventory({ registrations: [...alone.registrations], outputs: {} })).toEqual(
      inventory(program),
    );
  });
});

// Moved from test/services.test.ts ("scaling and toggles"), each variant now a construction of the
// lab instead of a whole-program evaluation; the same registrations are compared.
describe("toggles", () => {
  /** Every registration whose name mentions the service (resources, secrets, databases, identities). */
  const traces = (rs: readonly Registration[], words: string[]) =>
    rs
      .map((x) => `${x.type}::${x.name}`)
      .filter((n) => words.some((w) => n.split("::")[1].includes(w)))
      .sort();

  /** Every service with a switch: its name and its config section. */
  const switched = LAB_SERVICES.flatMap(({ access: { name, toggle } }) =>
    toggle ? [[name, toggle] as const] : [],
  );

  // Kafka's switch takes its UI too: "kafka-ui" has its name in it.
  it.each(switched)(
    "switching off %s (%s.enabled) removes exactly its resources",
    async (name, toggle) => {
      const words = [name];
      for (const stack of ["dev", "k8s"]) {
        const full = (await defaultLab(stack)).registrations;
        const without = (await built(stack, { [toggle]: { enabled: false } })).registrations;
        expect(traces(without, words)).toEqual([]);
        const removed = new Set(traces(full, words));
        const rest = (rs: readonly Registration[]) =>
          rs
            .map((x) => `${x.type}::${x.name}`)
            .filter((n) => !removed.has(n))
            .sort();
        expect(rest(without)).toEqual(rest(full));
      }
    },
  );

  it("with every optional service off, the lab is MinIO + Spark, with PostgreSQL for Spark's catalog only", async () => {
    const { component, registrations } = await built(
      "dev",
      Object.fromEntries(switched.map(([, toggle]) => [toggle, { enabled: false }])),
    );
    expect(
      registrations
        .filter((r) => r.type === "docker:index/container:Container")
        .map((c) => c.name)
        .sort(),
    ).toEqual(["minio", "postgres", "spark-master", "spark-worker-1", "spark-worker-2"]);
    const postgres = registrations.find(
      (r) => r.type === "docker:index/container:Container" && r.name === "postgres",
    )!;
    expect(unsecret(postgres.inputs.envs)).toContain("LAB_DATABASES=spark");
    // The program's `urls` output is this record (stacks/index.ts).
    expect(Object.keys(component.urls).sort()).toEqual(["minio-api", "minio-console", "spark-ui"]);
  });
});
