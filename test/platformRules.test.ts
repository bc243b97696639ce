import * as fc from "fast-check";
import type * as pulumiType from "@pulumi/pulumi";
import { healthcheck, waitTimeoutSeconds } from "../components/platform/docker";
import { HEALTH_DEFAULTS, healthTiming } from "../components/platform/health";
import {
  containerSecurity,
  podSecurity,
  podSpec,
  probes,
  scratchName,
} from "../components/platform/kubernetesManifests";
import type { WorkloadSpec } from "../components/platform/types";
import { workloadProblems } from "../components/platform/workloadRules";
import { evaluateProgram, type Registration } from "../scripts/evaluate";

const base: WorkloadSpec = {
  service: "demo",
  image: "demo:1.0",
  health: { command: ["true"] },
  memoryMiB: 256,
  runAs: { user: 1000, group: 1000 },
  writablePaths: [],
};
const volume = { name: "data", mountPath: "/data", size: "1Gi" };
/** `base` without an identity. */
const anonymous: WorkloadSpec = { ...base, runAs: undefined };

describe("health-check defaults: one place, realised alike on both platforms", () => {
  it("an unset value takes the default; a set one wins", () => {
    expect(healthTiming({ command: ["x"] })).toEqual(HEALTH_DEFAULTS);
    expect(healthTiming({ command: ["x"], intervalSeconds: 5, startPeriodSeconds: 90 })).toEqual({
      ...HEALTH_DEFAULTS,
      intervalSeconds: 5,
      startPeriodSeconds: 90,
    });
  });

  it("Docker's healthcheck and Kubernetes' probes are built from the same timing", () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        (intervalSeconds, timeoutSeconds, startPeriodSeconds, startIntervalSeconds) => {
          const h = {
            command: ["x"],
            intervalSeconds,
            timeoutSeconds,
            startPeriodSeconds,
            startIntervalSeconds,
          };
          const t = healthTiming(h);
          expect(healthcheck(h)).toEqual({
            tests: ["CMD", "x"],
            interval: `${t.intervalSeconds}s`,
            timeout: `${t.timeoutSeconds}s`,
            retries: t.retries,
            startPeriod: `${t.startPeriodSeconds}s`,
            startInterval: `${t.startIntervalSeconds}s`,
          });
          const p = probes(h);
          // A starting service is polled alike on both platforms.
          expect(p.startupProbe).toMatchObject({
            periodSeconds: t.startIntervalSeconds,
            timeoutSeconds: t.timeoutSeconds,
          });
          // The startup probe spans at least the start period plus Docker's retries.
          expect(
            (p.startupProbe.failureThreshold as number) * t.startIntervalSeconds,
          ).toBeGreaterThanOrEqual(t.startPeriodSeconds + t.retries * t.intervalSeconds);
          expect(waitTimeoutSeconds(h)).toBeGreaterThan(
            t.startPeriodSeconds + t.retries * (t.intervalSeconds + t.timeoutSeconds),
          );
        },
      ),
    );
  });
});

describe("workload rules", () => {
  it("a workload with volumes runs at most once: 0 or 1 copies pass, more fail naming the workload, the replicas and what is allowed", () => {
    expect(workloadProblems({ ...base, volumes: [volume] })).toEqual([]);
    expect(workloadProblems({ ...base, volumes: [volume], replicas: 1 })).toEqual([]);
    expect(workloadProblems({ ...base, volumes: [volume], replicas: 0 })).toEqual([]);
    expect(workloadProblems({ ...base, replicas: 5 })).toEqual([]);
    expect(workloadProblems({ ...base, volumes: [volume], replicas: 2 })).toEqual([
      "demo: replicas is 2, but a workload with volumes (data) runs at most once: replicas must be 0 or 1",
    ]);
  });

  it("for any replica count and volumes: refused exactly when both volumes and more than one copy", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.boolean(), (replicas, withVolume) => {
        const problems = workloadProblems({
          ...base,
          replicas,
          volumes: withVolume ? [volume] : [],
        });
        expect(problems.length > 0).toBe(withVolume && replicas > 1);
      }),
    );
  });

  it("a workload declares exactly one identity: runAs or root", () => {
    expect(workloadProblems({ ...anonymous, root: true })).toEqual([]);
    expect(workloadProblems(anonymous)).toEqual([
      "demo: no identity: set runAs to the image's numeric user and group, or root: true with the reason (the image's source) beside it",
    ]);
    expect(workloadProblems({ ...base, root: true })).toEqual([
      "demo: root is true and runAs is 1000:1000: declare one of them",
    ]);
  });

  it("a writable root filesystem is declared with its reason, never a default: writablePaths or writableRoot, not both", () => {
    expect(workloadProblems({ ...base, writablePaths: undefined, writableRoot: "why" })).toEqual(
      [],
    );
    expect(workloadProblems({ ...base, writablePaths: undefined })).toEqual([
      "demo: neither writablePaths nor writableRoot: list where the image writes outside its volumes, or give the reason its root filesystem stays writable",
    ]);
    expect(workloadProblems({ ...base, writableRoot: "why" })).toEqual([
      "demo: both writablePaths and writableRoot: declare one of them",
    ]);
  });
});

describe("Kubernetes security context", () => {
  it("restrictive by default: non-root as the image's user, no escalation, no capability, RuntimeDefault seccomp", () => {
    expect(podSecurity(base)).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(containerSecurity(base)).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    });
    expect(containerSecurity({ ...base, writablePaths: undefined, writableRoot: "why" })).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("a root workload keeps root (and still the default seccomp profile)", () => {
    expect(podSecurity({ ...anonymous, root: true })).toEqual({
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(containerSecurity({ ...anonymous, root: true })).toEqual({ runAsUser: 0 });
  });

  it("writable paths make the root filesystem read-only, each path an emptyDir mounted there", () => {
    const spec = podSpec(
      { ...base, writablePaths: ["/tmp", "/var/run/postgresql"] },
      { claims: {} },
    );
    const c = (spec.containers as any[])[0];
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    });
    expect(spec.volumes).toEqual([
      { name: "scratch-tmp", emptyDir: {} },
      { name: "scratch-var-run-postgresql", emptyDir: {} },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: "scratch-tmp", mountPath: "/tmp" },
      { name: "scratch-var-run-postgresql", mountPath: "/var/run/postgresql" },
    ]);
    // `[]`: read-only, writing nowhere.
    expect(
      (podSpec({ ...base, writablePaths: [] }, { claims: {} }).containers as any[])[0]
        .securityContext.readOnlyRootFilesystem,
    ).toBe(true);
  });

  it("scratchName gives a valid volume name (DNS label) for any absolute path", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(\/[a-zA-Z0-9._-]{1,30}){1,6}$/), (p) => {
        fc.pre(/[a-zA-Z0-9]/.test(p));
        expect(scratchName(p)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(scratchName(p).length).toBeLessThanOrEqual(63);
      }),
    );
  });
});

/**
 * The platforms check the rules before registering anything of the workload: a stack's platform,
 * from that stack's config, given a workload with a volume and two replicas.
 */
describe.each(["dev", "k8s"])("%s stack: a workload breaking a rule", (stack) => {
  it("fails naming the workload, the replicas and what is allowed, and registers nothing of it", async () => {
    const registered: Registration[] = [];
    let error: Error | undefined;
    jest.resetModules();
    const pulumi: typeof pulumiType = require("@pulumi/pulumi");
    // The error is caught inside the program, so the evaluation finishes what it started (the
    // platform) before the next one replaces the mock runtime.
    await evaluateProgram(pulumi, {
      stack,
      registrations: registered,
      load: () => {
        const { loadConfig } = require("../components/config");
        const { createPlatform } = require("../components/platform");
        const platform = createPlatform("platform", loadConfig());
        const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
        try {
          platform.deploy({ ...base, service: "broken", volumes: [volume], replicas: 2 }, parent);
        } catch (e) {
          error = e as Error;
        }
        return {};
      },
    });
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error!.message).toContain(
      "broken: replicas is 2, but a workload with volumes (data) runs at most once: replicas must be 0 or 1",
    );
    // The platform itself was registered; nothing of the workload was.
    expect(registered.some((r) => r.type.startsWith("pulumi:providers:"))).toBe(true);
    expect(registered.filter((r) => r.name.startsWith("broken"))).toEqual([]);
  });
});
