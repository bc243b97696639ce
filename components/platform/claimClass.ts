import * as pulumi from "@pulumi/pulumi";

/** What {@link ClaimClass} records: the StorageClass the stack's PVCs were made with. */
export interface ClaimClassInputs {
  /** `kubernetes.storageClass`, or "" for the cluster's default class. */
  readonly storageClass: string;
}

/**
 * The refusal of a changed `kubernetes.storageClass`, at `check`: the engine calls it with the
 * recorded inputs and the new ones during the preview, before anything is replaced. A PVC's class
 * cannot change in place, so Pulumi would replace every claim holding the lab's data: delete it,
 * and its volume with it under the usual `Delete` reclaim policy.
 */
export function claimClassProvider(): pulumi.dynamic.ResourceProvider {
  return {
    async check(olds: Partial<ClaimClassInputs>, news: ClaimClassInputs) {
      const failures =
        olds.storageClass !== undefined && olds.storageClass !== news.storageClass
          ? [
              {
                property: "storageClass",
                reason: storageClassChangeRefusal(olds.storageClass, news.storageClass),
              },
            ]
          : [];
      return { inputs: news, failures };
    },
    async create(i: ClaimClassInputs) {
      return { id: "claims", outs: i };
    },
    async diff(_id: string, olds: ClaimClassInputs, news: ClaimClassInputs) {
      return { changes: olds.storageClass !== news.storageClass };
    },
    async update(_id: string, _olds: ClaimClassInputs, news: ClaimClassInputs) {
      return { outs: news };
    },
  };
}

/** The error a refused change shows: the key, both values and the way to move. */
export function storageClassChangeRefusal(recorded: string, wanted: string): string {
  const name = (c: string) => (c ? JSON.stringify(c) : "unset (the cluster's default)");
  return (
    `kubernetes.storageClass is ${name(wanted)}, but this stack's PVCs were made with ` +
    `${name(recorded)}. A claim's class cannot change, so every PVC holding the lab's data would ` +
    `be replaced and its data deleted. Set kubernetes.storageClass back, or move the data ` +
    `yourself: copy it out, \`pulumi destroy\`, delete the PVCs (kubectl delete pvc -l ` +
    `app.kubernetes.io/part-of=dataflow-lab), then \`pulumi up\` with the new class (docs/kubernetes.md: ` +
    `"Moving to another StorageClass").`
  );
}

const PROVIDER = claimClassProvider();

/**
 * The StorageClass of the stack's PVCs, recorded: a change is refused at preview (see
 * {@link claimClassProvider}). Every PVC depends on it, so none is touched before it passes.
 */
export class ClaimClass extends pulumi.dynamic.Resource {
  declare readonly storageClass: pulumi.Output<string>;

  constructor(name: string, args: ClaimClassInputs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDER, name, { ...args }, opts, "platform", "ClaimClass");
  }
}
