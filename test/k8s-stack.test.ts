import { STOP_GRACE_SECONDS } from "../components/platform/health";
import type { PublishSpec } from "../components/platform/types";
import { declared, publishedPorts, volumesOf, type Declared } from "./declared";
import {
  dependsOn,
  one,
  ofType,
  runProgram,
  unsecret,
  type ProgramRun,
  type Registration,
} from "./harness";

const STS = "kubernetes:apps/v1:StatefulSet";
const SVC = "kubernetes:core/v1:Service";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const SECRET = "kubernetes:core/v1:Secret";

let run: ProgramRun;
/** What the services declare: the rules below are derived from it, not from a list of them. */
let lab: Declared;
beforeAll(async () => {
  run = await runProgram("k8s");
  lab = await declared("k8s");
});

/**
 * docs/kubernetes.md's table for the k8s stack (`expose: nodePort`, neither `exposeWithoutLogin`
 * nor `exposeMinio`): what asks for a login is on its NodePort, of MinIO's only the S3 API, which
 * `pulumi up` reaches; the rest at the local port of `kubectl port-forward`.
 */
const onNodePort = (p: PublishSpec) => !!p.deployer || (p.login && !p.minio);

/** The URL a person opens for a port published at `host:port`. */
const urlAt = (host: string, port: number, p: PublishSpec) =>
  p.scheme ? `${p.scheme}://${host}:${port}${p.path ?? ""}` : `${host}:${port}`;

/** Validates an object against the Kubernetes OpenAPI schema (kubernetes-models, k8s 1.27). */
function validate(r: Registration): void {
  const obj = unsecret(r.inputs) as { apiVersion: string; kind: string };
  const [group, version] = obj.apiVersion.includes("/")
    ? obj.apiVersion.split("/")
    : ["", obj.apiVersion];
  const mod = require(
    group
      ? `kubernetes-models/${group}/${version}/${obj.kind}`
      : `kubernetes-models/v1/${obj.kind}`,
  );
  new mod[obj.kind](obj).validate();
}

const pod = (r: Registration) => unsecret(r.inputs).spec.template.spec;

/** Workloads whose root filesystem stays writable, by their annotation (docs/kubernetes.md's table). */
function annotatedWritableRoots(): string[] {
  return [...ofType(run, STS), ...ofType(run, "kubernetes:apps/v1:Deployment")]
    .filter((w) => unsecret(w.inputs).metadata.annotations?.["dataflow-lab/writable-root"])
    .map((w) => `${w.name}: writable root filesystem`)
    .sort();
}

describe("k8s stack (Kubernetes)", () => {
  it("registers a StatefulSet per workload that declares data volumes, a Deployment per other, a Service per workload with ports and per one on a NodePort, and no Docker container", () => {
    const kinds = Object.fromEntries(
      run.registrations
        .filter((r) => r.type === STS || r.type === "kubernetes:apps/v1:Deployment")
        .map((r) => [r.name, r.type.split(":").pop()]),
    );
    expect(kinds).toEqual(
      Object.fromEntries(
        lab.workloads.map((s) => [s.service, s.volumes?.length ? "StatefulSet" : "Deployment"]),
      ),
    );
    // Every workload the services declare is a host of the memoryLimitMiB output.
    expect(Object.keys(kinds).sort()).toEqual(
      Object.keys(run.outputs.memoryLimitMiB.value.services).sort(),
    );
    // Its name for what connects to it (none for what nobody does: the Prefect worker), and
    // `<service>-nodeport` for what is exposed on a NodePort.
    expect(
      ofType(run, SVC)
        .map((s) => s.name)
        .sort(),
    ).toEqual(
      [
        ...lab.workloads.filter((s) => s.ports?.length).map((s) => s.service),
        ...lab.workloads
          .filter((s) => publishedPorts(s).some((p) => onNodePort(p.publish)))
          .map((s) => `${s.service}-nodeport`),
      ].sort(),
    );
    expect(ofType(run, "docker:index/container:Container")).toEqual([]);
  });

  it("pushes the lab's own images to images.registry, tagged by content, and runs them by digest", () => {
    const images = ofType(run, "docker-build:index:Image");
    expect(images.map((i) => [i.name, i.inputs.context, i.inputs.dockerfile])).toEqual([
      ["lab-runtime", { location: "." }, { location: "images/lab-runtime/Dockerfile" }],
    ]);
    for (const i of images) {
      expect(i.inputs).toMatchObject({ push: true, load: false, buildOnPreview: false });
      expect(i.inputs.tags).toEqual([
        expect.stringMatching(`^localhost:5001/dataflow-lab-${i.name}:[0-9a-f]{12}$`),
      ]);
      expect(i.provider).toMatch(/pulumi:providers:docker-build::platform-builder::/);
    }
    expect(pod(one(run, "kubernetes:apps/v1:Deployment", "spark-worker")).containers[0].image).toBe(
      `${images[0].inputs.tags[0]}@sha256:lab-runtime`,
    );
  });

  it("every Kubernetes object is valid against the Kubernetes schema", () => {
    const errors: string[] = [];
    for (const r of run.registrations.filter((x) => x.type.startsWith("kubernetes:"))) {
      try {
        validate(r);
      } catch (e) {
        errors.push(`${r.type}::${r.name}: ${(e as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
  });

  it("the schema check can fail: a broken StatefulSet is rejected", () => {
    const sts = one(run, STS, "minio");
    const broken = { ...sts, inputs: { ...unsecret(sts.inputs), spec: { replicas: "one" } } };
    expect(() => validate(broken)).toThrow(/replicas must be integer|must have required property/);
  });

  it("every object is in the lab's namespace and on the explicit kubernetes provider; only what is kept adopts", () => {
    const kept = ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim"];
    for (const r of run.registrations.filter((x) => x.type.startsWith("kubernetes:") && x.custom)) {
      // What outlives `pulumi destroy` is found again by a provider that adopts existing objects.
      const provider = kept.includes(r.type) ? "platform-kept" : "platform";
      expect([r.type, r.name, r.provider]).toEqual([
        r.type,
        r.name,
        expect.stringMatching(new RegExp(`\\$pulumi:providers:kubernetes::${provider}::`)),
      ]);
      if (!r.type.endsWith(":Namespace")) expect(r.inputs.metadata.namespace).toBe("dataflow-lab");
    }
    expect(one(run, "kubernetes:core/v1:Namespace", "platform").inputs.metadata.name).toBe(
      "dataflow-lab",
    );
  });

  it("a PVC per declared data volume, named <service>-<volume>; keeps them and the namespace (whose deletion would take the PVCs) on destroy", () => {
    expect(
      ofType(run, PVC)
        .map((p) => p.name)
        .sort(),
    ).toEqual(lab.workloads.flatMap(volumesOf).sort());
    expect(ofType(run, PVC).every((p) => p.retainOnDelete)).toBe(true);
    expect(one(run, "kubernetes:core/v1:Namespace", "platform").retainOnDelete).toBe(true);
    expect(one(run, PVC, "minio-data").inputs.spec.resources.requests.storage).toBe("20Gi");
    expect(one(run, PVC, "postgres-data").inputs.spec.resources.requests.storage).toBe("5Gi");
  });

  it("NiFi's repositories get nifi.storageSize; its conf and state small claims", () => {
    const size = (name: string) => one(run, PVC, name).inputs.spec.resources.requests.storage;
    expect(
      Object.fromEntries(
        ofType(run, PVC)
          .filter((p) => p.name.startsWith("nifi-"))
          .map((p) => [p.name, size(p.name)]),
      ),
    ).toEqual({
      "nifi-conf": "1Gi",
      "nifi-content-repository": "10Gi",
      "nifi-database-repository": "10Gi",
      "nifi-flowfile-repository": "10Gi",
      "nifi-provenance-repository": "10Gi",
      "nifi-state": "1Gi",
    });
  });

  it("every pod: no service links, probes, requests = limits for memory, non-root", () => {
    const workloads = [...ofType(run, STS), ...ofType(run, "kubernetes:apps/v1:Deployment")];
    expect(workloads).toHaveLength(lab.workloads.length);
    for (const w of workloads) {
      const spec = pod(w);
      expect(spec.enableServiceLinks).toBe(false);
      expect([w.name, spec.terminationGracePeriodSeconds]).toEqual([
        w.name,
        w.name === "postgres" ? 90 : STOP_GRACE_SECONDS,
      ]);
      expect([w.name, spec.securityContext.runAsNonRoot]).toEqual([w.name, true]);
      for (const c of spec.containers) {
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
        expect(c.startupProbe).toBeDefined();
        expect(c.resources.limits.memory).toMatch(/^\d+Mi$/);
        expect(c.resources.requests.memory).toBe(c.resources.limits.memory);
        expect(c.resources.limits.cpu).toBeDefined();
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
      }
    }
  });

  it("every pod has the restrictive security context, or is an exception it declares (docs/kubernetes.md lists them)", () => {
    const found: string[] = [];
    for (const w of [...ofType(run, STS), ...ofType(run, "kubernetes:apps/v1:Deployment")]) {
      const spec = pod(w);
      // Root or not, every pod gets the runtime's default seccomp profile.
      expect([w.name, spec.securityContext.seccompProfile]).toEqual([
        w.name,
        { type: "RuntimeDefault" },
      ]);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        if (c.securityContext.runAsUser === 0) {
          found.push(`${w.name}: root`);
          expect(spec.securityContext.runAsNonRoot).toBeUndefined();
          continue;
        }
        expect([w.name, spec.securityContext]).toEqual([
          w.name,
          {
            runAsNonRoot: true,
            runAsUser: expect.any(Number),
            runAsGroup: expect.any(Number),
            fsGroup: expect.any(Number),
            seccompProfile: { type: "RuntimeDefault" },
          },
        ]);
        expect([w.name, c.securityContext]).toEqual([
          w.name,
          {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            ...(c.securityContext.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
          },
        ]);
        if (!c.securityContext.readOnlyRootFilesystem && c.name === w.name) {
          found.push(`${w.name}: writable root filesystem`);
        }
      }
      if (spec.containers[0].securityContext.runAsUser === 0) {
        found.push(`${w.name}: writable root filesystem`);
      }
      // Where the root filesystem is read-only, each writable path is an emptyDir of the pod.
      const scratch = spec.volumes.filter((v: { emptyDir?: object }) => v.emptyDir);
      for (const v of scratch) {
        expect(spec.containers[0].volumeMounts.map((m: { name: string }) => m.name)).toContain(
          v.name,
        );
      }
    }
    expect([...new Set(found)].sort()).toEqual(annotatedWritableRoots());
    // No workload runs as root, JupyterHub's notebooks included.
    expect(found.filter((f) => f.endsWith(": root"))).toEqual([]);
  });

  it("a read-only root filesystem but where a workload writes (its emptyDirs); a writable one is annotated with its reason", () => {
    const scratch = (r: Registration) =>
      pod(r)
        .containers[0].volumeMounts.filter((m: { name: string }) => m.name.startsWith("scratch-"))
        .map((m: { mountPath: string }) => m.mountPath);
    const workloads = [...ofType(run, STS), ...ofType(run, "kubernetes:apps/v1:Deployment")];
    const writable = Object.fromEntries(
      workloads
        .filter((w) => !pod(w).containers[0].securityContext.readOnlyRootFilesystem)
        .map((w) => [
          w.name,
          unsecret(w.inputs).metadata.annotations["dataflow-lab/writable-root"],
        ]),
    );
    // Only NiFi, with the reason traced to its image (npm run docs writes it into docs/kubernetes.md).
    expect(Object.keys(writable)).toEqual(["nifi"]);
    expect(writable.nifi).toMatch(/start\.sh edits conf\/ in place/);
    for (const w of workloads) {
      if (w.name in writable) expect([w.name, scratch(w)]).toEqual([w.name, []]);
      else expect([w.name, scratch(w).length]).not.toEqual([w.name, 0]);
    }
    // What the services declare, so a change shows here (the real-services suite runs them so).
    expect(scratch(one(run, STS, "postgres"))).toEqual(["/var/run/postgresql", "/tmp"]);
    expect(scratch(one(run, "kubernetes:apps/v1:Deployment", "spark-worker"))).toEqual([
      "/opt/spark/work",
      "/tmp",
    ]);
    expect(pod(one(run, "kubernetes:apps/v1:Deployment", "kafka-ui")).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 2000,
      fsGroup: 2000,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("credentials reach pods only through secretKeyRef, never as plain values", () => {
    for (const sts of ofType(run, STS)) {
      for (const e of pod(sts).containers[0].env as {
        name: string;
        value?: string;
        valueFrom?: any;
      }[]) {
        // (A *_FILE or *_DIR variable names where the credential is mounted.)
        if (/PASSWORD|ROOT_USER/.test(e.name) && !/_(FILE|DIR)$/.test(e.name)) {
          expect(e.value).toBeUndefined();
          expect(e.valueFrom.secretKeyRef).toEqual({
            name: `${sts.name}-autonamed`,
            key: `env.${e.name}`,
          });
        }
      }
    }
    // MinIO's and PostgreSQL's only as files, which the images read (*_FILE).
    const secret = one(run, SECRET, "minio");
    expect(Object.keys(unsecret(secret.inputs.stringData)).sort()).toEqual([
      "run_secrets_minio_root-password",
      "run_secrets_minio_root-user",
    ]);
    expect(Object.keys(unsecret(one(run, SECRET, "postgres").inputs.stringData)).sort()).toEqual(
      [
        ...lab.access.databases.map((d) => `run_secrets_postgres_databases_${d.name}`),
        "run_secrets_postgres_superuser-password",
      ].sort(),
    );
  });

  it("MinIO: StatefulSet on its PVC, HTTP probes on the health endpoints, API (not the console) reachable through a NodePort", () => {
    const spec = pod(one(run, STS, "minio"));
    const c = spec.containers[0];
    expect(c.image).toBe("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z");
    expect(c.args).toEqual(["server", "/data", "--console-address", ":9001"]);
    expect(c.readinessProbe.httpGet).toEqual({
      path: "/minio/health/ready",
      port: 9000,
      scheme: "HTTP",
    });
    expect(c.livenessProbe.httpGet).toEqual({
      path: "/minio/health/live",
      port: 9000,
      scheme: "HTTP",
    });
    expect(spec.volumes).toEqual([
      { name: "data", persistentVolumeClaim: { claimName: "minio-data" } },
      { name: "secret-files", secret: { secretName: "minio-autonamed", defaultMode: 0o440 } },
      { name: "scratch-tmp", emptyDir: {} },
    ]);
    expect(one(run, SVC, "minio-nodeport").inputs.spec).toMatchObject({
      type: "NodePort",
      ports: [{ name: "api", port: 9000, nodePort: 30900 }],
    });
    expect(one(run, SVC, "minio-nodeport").inputs.spec.ports).toHaveLength(1);
    expect(one(run, SVC, "minio").inputs.spec.type).toBe("ClusterIP");
  });

  it("PostgreSQL runs as the image's postgres user with PGDATA below the mount (ext4 lost+found)", () => {
    const spec = pod(one(run, STS, "postgres"));
    expect(spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    const c = spec.containers[0];
    expect(c.env.find((e: { name: string }) => e.name === "PGDATA").value).toBe(
      "/var/lib/postgresql/data/pgdata",
    );
    expect(c.readinessProbe.exec.command).toEqual(["/usr/local/bin/dataflow-lab-ensure-databases"]);
    expect(c.livenessProbe.exec.command).toEqual([
      "pg_isready",
      "-q",
      "-h",
      "127.0.0.1",
      "-U",
      "postgres",
    ]);
    expect(c.volumeMounts).toContainEqual({
      name: "files",
      mountPath: "/usr/local/bin/dataflow-lab-ensure-databases",
      subPath: "usr_local_bin_dataflow-lab-ensure-databases",
      readOnly: true,
    });
  });

  it("the MinIO provider reaches the NodePort on the node address, after the StatefulSet, its Service and the NodePort Service are ready", () => {
    const p = one(run, "pulumi:providers:minio", "lab-minio");
    expect(p.inputs.minioServer).toBe("localhost:30900");
    expect(dependsOn(p, STS, "minio")).toBe(true);
    expect(dependsOn(p, SVC, "minio")).toBe(true);
    expect(dependsOn(p, SVC, "minio-nodeport")).toBe(true);
    expect(dependsOn(p, SVC, "jupyterhub-nodeport")).toBe(false);
  });

  it("exports a URL per published port: on its NodePort what asks for a login (of MinIO's only the API), the rest and MinIO's console at the local port of `kubectl port-forward`", () => {
    expect(lab.config.kubernetes).toMatchObject({
      expose: "nodePort",
      exposeWithoutLogin: false,
      exposeMinio: false,
      nodeAddress: "localhost",
    });
    const published = lab.workloads.flatMap(publishedPorts);
    expect(run.outputs.urls.value).toEqual(
      Object.fromEntries(
        published.map(({ publish: p }) => [
          p.urlKey,
          urlAt("localhost", onNodePort(p) ? p.nodePort : p.hostPort, p),
        ]),
      ),
    );
    // Each NodePort Service opens exactly its workload's ports that are on a NodePort.
    const nodePorts = (s: Registration) =>
      (s.inputs.spec.ports as { port: number; nodePort: number }[]).map(
        (p) => `${p.port}->${p.nodePort}`,
      );
    for (const s of lab.workloads) {
      const open = publishedPorts(s).filter((p) => onNodePort(p.publish));
      if (open.length === 0) continue;
      expect([s.service, nodePorts(one(run, SVC, `${s.service}-nodeport`))]).toEqual([
        s.service,
        open.map((p) => `${p.port}->${p.publish.nodePort}`),
      ]);
    }
  });
});

describe("k8s stack: what the peer reviewers asked for", () => {
  it("a StatefulSet's own Service is headless, a Deployment's is not", () => {
    for (const sts of ofType(run, STS)) {
      expect(one(run, SVC, sts.name).inputs.spec.clusterIP).toBe("None");
    }
    expect(one(run, SVC, "mlflow").inputs.spec.clusterIP).toBeUndefined();
  });

  it("a workload of several copies gets a PodDisruptionBudget of one and spreads over the nodes; one copy gets neither", () => {
    const pdbs = ofType(run, "kubernetes:policy/v1:PodDisruptionBudget");
    expect(pdbs.map((p) => [p.name, p.inputs.spec.maxUnavailable]).sort()).toEqual(
      lab.workloads
        .filter((s) => (s.replicas ?? 1) > 1)
        .map((s) => [s.service, 1])
        .sort(),
    );
    const workers = pod(one(run, "kubernetes:apps/v1:Deployment", "spark-worker"));
    expect(
      workers.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]
        .podAffinityTerm.topologyKey,
    ).toBe("kubernetes.io/hostname");
    expect(pod(one(run, "kubernetes:apps/v1:Deployment", "mlflow")).affinity).toBeUndefined();
  });

  it("files holding credentials are readable by the pod's group only", () => {
    const mode = (kind: string, name: string) =>
      pod(one(run, kind, name)).volumes.find((v: any) => v.name === "secret-files")?.secret
        .defaultMode;
    // Every pod with such files: owner and group only, the group its fsGroup (a root pod aside).
    const all = [...ofType(run, STS), ...ofType(run, "kubernetes:apps/v1:Deployment")];
    const keyed = all.filter((w) => pod(w).volumes?.some((v: any) => v.name === "secret-files"));
    expect(keyed.length).toBeGreaterThan(0);
    for (const w of keyed) {
      const p = pod(w);
      const m = p.volumes.find((v: any) => v.name === "secret-files").secret.defaultMode;
      const root = p.securityContext?.runAsUser === 0;
      expect([w.name, m]).toEqual([w.name, root ? 0o444 : 0o440]);
      if (!root) {
        const { fsGroup, runAsGroup } = p.securityContext;
        expect([w.name, fsGroup]).toEqual([w.name, runAsGroup]);
      }
    }
    // spark-defaults.conf (Spark's S3 key and RPC secret) and MLflow's auth config.
    expect(mode("kubernetes:apps/v1:Deployment", "spark-worker")).toBe(0o440);
    expect(mode("kubernetes:apps/v1:Deployment", "mlflow")).toBe(0o440);
    expect(
      pod(one(run, "kubernetes:apps/v1:Deployment", "spark-worker")).securityContext.fsGroup,
    ).toBe(185);
    // JupyterHub's notebook server runs as the hub's user, in the pod's group.
    expect(mode(STS, "jupyterhub")).toBe(0o440);
    expect(pod(one(run, STS, "jupyterhub")).securityContext).toMatchObject({
      runAsUser: 1000,
      fsGroup: 1000,
    });
  });

  it("every container requests and limits its ephemeral storage", () => {
    const all = [...ofType(run, STS), ...ofType(run, "kubernetes:apps/v1:Deployment")];
    for (const w of all) {
      for (const c of [...pod(w).containers, ...(pod(w).initContainers ?? [])]) {
        expect(c.resources.requests["ephemeral-storage"]).toMatch(/^\d+Mi$/);
        expect(c.resources.limits["ephemeral-storage"]).toBe(
          c.resources.requests["ephemeral-storage"],
        );
      }
    }
  });

  it("liveness is less than readiness: an HTTP-ready service is alive while its port accepts connections", () => {
    const c = pod(one(run, "kubernetes:apps/v1:Deployment", "mlflow")).containers[0];
    expect(c.readinessProbe.httpGet).toMatchObject({ path: "/health", port: 5000 });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 5000 });
    // A declared liveness check stays (MinIO's own /minio/health/live).
    expect(pod(one(run, STS, "minio")).containers[0].livenessProbe.httpGet.path).toBe(
      "/minio/health/live",
    );
  });
});

describe("k8s stack config overrides", () => {
  it("namespace, context, kubeconfig and storage class come from config", async () => {
    const r = await runProgram("k8s", {
      kubernetes: {
        namespace: "lab-42",
        context: "kind-lab",
        kubeconfig: "/tmp/kc",
        storageClass: "fast",
      },
    });
    expect(one(r, "pulumi:providers:kubernetes", "platform").inputs).toMatchObject({
      context: "kind-lab",
      kubeconfig: "/tmp/kc",
    });
    expect(one(r, "pulumi:providers:kubernetes", "platform-kept").inputs).toMatchObject({
      context: "kind-lab",
      kubeconfig: "/tmp/kc",
      upsertExistingObjects: "true",
    });
    expect(one(r, "pulumi:providers:kubernetes", "platform").inputs).not.toHaveProperty(
      "upsertExistingObjects",
    );
    for (const x of r.registrations.filter(
      (q) => q.type.startsWith("kubernetes:") && !q.type.endsWith("Namespace"),
    )) {
      expect(x.inputs.metadata.namespace).toBe("lab-42");
    }
    expect(new Set(ofType(r, PVC).map((p) => p.inputs.spec.storageClassName))).toEqual(
      new Set(["fast"]),
    );
  });

  const ingress = (extra: Record<string, unknown>) =>
    runProgram("k8s", {
      kubernetes: {
        expose: "ingress",
        ingressDomain: "lab.example.com",
        ingressClassName: "nginx",
        ...extra,
      },
    });
  const hosts = (r: ProgramRun) =>
    ofType(r, "kubernetes:networking.k8s.io/v1:Ingress").map((i) => i.inputs.spec.rules[0].host);
  /** What an Ingress can carry: the published ports that speak HTTP (not NiFi's HTTPS, not Kafka). */
  const httpUis = () =>
    lab.workloads
      .flatMap(publishedPorts)
      .map((p) => p.publish)
      .filter((p) => p.scheme === "http");

  it("expose ingress: an Ingress with TLS per UI that asks for a login, the certificate from cert-manager", async () => {
    const r = await ingress({ clusterIssuer: "letsencrypt" });
    const ingresses = ofType(r, "kubernetes:networking.k8s.io/v1:Ingress");
    // NiFi (HTTPS backend) and the SQL endpoint (plain TCP, which no Ingress carries) stay on their
    // NodePorts; Spark's UI, the dashboard and MinIO are not exposed.
    expect(hosts(r).sort()).toEqual(
      httpUis()
        .filter((p) => p.login && !p.minio)
        .map((p) => `${p.urlKey}.lab.example.com`)
        .sort(),
    );
    for (const i of ingresses) {
      validate(i);
      expect(i.inputs.spec.ingressClassName).toBe("nginx");
      expect(i.inputs.metadata.annotations).toEqual({
        "cert-manager.io/cluster-issuer": "letsencrypt",
      });
      expect(i.inputs.spec.tls).toEqual([
        { hosts: [i.inputs.spec.rules[0].host], secretName: `${i.name}-tls` },
      ]);
    }
    expect(
      ofType(r, SVC)
        .filter((s) => s.inputs.spec.type === "NodePort")
        .map((s) => s.name),
    ).toEqual(["minio-nodeport", "nifi-nodeport", "spark-thrift-nodeport"]);
    // The MinIO provider keeps the NodePort.
    expect(one(r, "pulumi:providers:minio", "lab-minio").inputs.minioServer).toBe(
      "localhost:30900",
    );
    expect(r.outputs.urls.value).toMatchObject({
      jupyterhub: "https://jupyterhub.lab.example.com",
      "minio-console": "http://localhost:9001",
      streamlit: "http://localhost:8501",
    });
  });

  it("expose ingress with an existing TLS Secret, MinIO and what has no login opted in", async () => {
    const r = await ingress({ tlsSecret: "wildcard", exposeMinio: true, exposeWithoutLogin: true });
    // Every HTTP UI.
    expect(hosts(r).sort()).toEqual(
      httpUis()
        .map((p) => `${p.urlKey}.lab.example.com`)
        .sort(),
    );
    for (const i of ofType(r, "kubernetes:networking.k8s.io/v1:Ingress")) {
      expect(i.inputs.spec.tls[0].secretName).toBe("wildcard");
      expect(i.inputs.metadata.annotations).toBeUndefined();
    }
  });

  it("expose ingress in plain HTTP only when asked for, and none exposes nothing but MinIO's API", async () => {
    const plain = await ingress({ plainHttp: true });
    for (const i of ofType(plain, "kubernetes:networking.k8s.io/v1:Ingress")) {
      expect(i.inputs.spec.tls).toBeUndefined();
    }
    expect(plain.outputs.urls.value.jupyterhub).toBe("http://jupyterhub.lab.example.com");
    const none = await runProgram("k8s", { kubernetes: { expose: "none" } });
    expect(ofType(none, "kubernetes:networking.k8s.io/v1:Ingress")).toEqual([]);
    expect(
      ofType(none, SVC)
        .filter((s) => s.inputs.spec.type === "NodePort")
        .map((s) => [s.name, s.inputs.spec.ports.map((p: any) => p.name)]),
    ).toEqual([["minio-nodeport", ["api"]]]);
    expect(none.outputs.urls.value.jupyterhub).toBe("http://localhost:8000");
    // Only the exposed port is open to anyone in MinIO's NetworkPolicy.
    const policy = one(none, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "minio").inputs.spec;
    expect(policy.ingress.filter((i: any) => !i.from)).toEqual([
      { ports: [{ protocol: "TCP", port: 9000 }] },
    ]);
  });

  it("opting out of retention lets destroy delete the PVCs, but never the namespace (it may hold what is not the lab's)", async () => {
    const r = await runProgram("k8s", { retainDataOnDestroy: false });
    expect(ofType(r, PVC).every((p) => !p.retainOnDelete)).toBe(true);
    expect(one(r, "kubernetes:core/v1:Namespace", "platform").retainOnDelete).toBe(true);
  });
});
