/**
 * The lab component and its switches: which services and resources each toggle adds, built as
 * `stacks/index.ts` builds it (config → platform → DataFlowLab) but without a fresh SDK per
 * variant. One whole-program evaluation per stack proves the construction registers exactly what
 * the program does, so the comparisons below mean the same as on the program.
 */
import type { LabConfig } from "./config";
import { DataFlowLab } from "./lab";
import { createPlatform } from "./platform";
import { construct, type Constructed } from "../test/componentHarness";
import { inventory, runProgram, type Registration } from "../test/harness";

/** The lab as stacks/index.ts builds it: the one place to follow an API change. */
function lab(config: LabConfig): DataFlowLab {
  const platform = createPlatform("platform", config);
  return new DataFlowLab("lab", { config, platform });
}

const built = (stack: string, overrides: Record<string, unknown> = {}) =>
  construct(stack, overrides, lab);
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

  it.each<[string, Record<string, unknown>, string[]]>([
    ["mlflow", { mlflow: { enabled: false } }, ["mlflow"]],
    ["prefect", { prefect: { enabled: false } }, ["prefect"]],
    ["kafka (and its UI)", { kafka: { enabled: false } }, ["kafka"]],
    ["kafkaUi alone", { kafkaUi: { enabled: false } }, ["kafka-ui"]],
    ["nifi", { nifi: { enabled: false } }, ["nifi"]],
    ["jupyterhub", { jupyterhub: { enabled: false } }, ["jupyterhub"]],
    ["streamlit", { streamlit: { enabled: false } }, ["streamlit"]],
  ])("switching off %s removes exactly its resources", async (_name, override, words) => {
    for (const stack of ["dev", "k8s"]) {
      const full = (await defaultLab(stack)).registrations;
      const without = (await built(stack, override)).registrations;
      expect(traces(without, words)).toEqual([]);
      const removed = new Set(traces(full, words));
      const rest = (rs: readonly Registration[]) =>
        rs
          .map((x) => `${x.type}::${x.name}`)
          .filter((n) => !removed.has(n))
          .sort();
      expect(rest(without)).toEqual(rest(full));
    }
  });

  it("with every optional service off, the lab is MinIO + Spark, and PostgreSQL is not needed", async () => {
    const off = { enabled: false };
    const { component, registrations } = await built("dev", {
      mlflow: off,
      prefect: off,
      kafka: off,
      nifi: off,
      jupyterhub: off,
      streamlit: off,
    });
    expect(
      registrations
        .filter((r) => r.type === "docker:index/container:Container")
        .map((c) => c.name)
        .sort(),
    ).toEqual(["minio", "spark-master", "spark-worker-1", "spark-worker-2"]);
    // The program's `urls` output is this record (stacks/index.ts).
    expect(Object.keys(component.urls).sort()).toEqual(["minio-api", "minio-console", "spark-ui"]);
  });
});
