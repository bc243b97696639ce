/**
 * The refusal of a changed kubernetes.storageClass on a live stack (components/platform/claimClass.ts):
 * its provider's `check`, which the engine runs during the preview with the recorded inputs, and
 * its place before every PVC of the k8s stack.
 */
import { claimClassProvider, storageClassChangeRefusal } from "../components/platform/claimClass";
import { dependsOn, ofType, runProgram } from "./harness";

const check = (olds: object, news: { storageClass: string }) =>
  claimClassProvider().check!(olds, news);

describe("the PVCs' StorageClass", () => {
  it("records the class on a new stack, and passes it unchanged", async () => {
    expect(await check({}, { storageClass: "" })).toEqual({
      inputs: { storageClass: "" },
      failures: [],
    });
    expect((await check({ storageClass: "fast" }, { storageClass: "fast" })).failures).toEqual([]);
  });

  it.each([
    ["", "fast"],
    ["fast", ""],
    ["fast", "slow"],
  ])(
    "refuses %j → %j at preview, naming the key, both classes and the way to move",
    async (a, b) => {
      const r = await check({ storageClass: a }, { storageClass: b });
      expect(r.failures).toEqual([
        { property: "storageClass", reason: storageClassChangeRefusal(a, b) },
      ]);
      expect(storageClassChangeRefusal(a, b)).toMatch(
        /^kubernetes\.storageClass is .*, but this stack's PVCs were made with .*would be replaced.*kubectl delete pvc/,
      );
    },
  );

  it("every PVC of the k8s stack waits for it", async () => {
    const run = await runProgram("k8s", { kubernetes: { storageClass: "fast" } });
    const pvcs = ofType(run, "kubernetes:core/v1:PersistentVolumeClaim");
    expect(pvcs.length).toBeGreaterThan(0);
    for (const p of pvcs) {
      expect(dependsOn(p, "pulumi-nodejs:dynamic/platform:ClaimClass", "storage-class")).toBe(true);
    }
  });
});
