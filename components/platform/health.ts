import type { HealthCheckSpec, WorkloadSpec } from "./types";

/**
 * How long a workload gets to stop cleanly between its stop signal (the image's STOPSIGNAL) and
 * SIGKILL, when `pulumi up` replaces it or `pulumi destroy` removes it: Docker's
 * `destroyGraceSeconds` (without it the provider kills at once) and `stopTimeout`, Kubernetes'
 * `terminationGracePeriodSeconds` (whose own default this is). A service that stops sooner is not
 * waited for; the real-services suite reports how long each took.
 */
export const STOP_GRACE_SECONDS = 30;

/** The stop grace both platforms give `spec`: its own, or {@link STOP_GRACE_SECONDS}. */
export function stopGrace(spec: Pick<WorkloadSpec, "stopGraceSeconds">): number {
  return spec.stopGraceSeconds ?? STOP_GRACE_SECONDS;
}

/**
 * Health-check timing every workload gets unless its `HealthCheckSpec` says otherwise: the one
 * place these numbers live. A component overrides a value only where its service differs, and says
 * why next to the override.
 */
export const HEALTH_DEFAULTS = {
  /** Seconds between checks. */
  intervalSeconds: 10,
  /**
   * Seconds between checks while the service is still starting (within its start period, not yet
   * healthy): Docker's `start_interval` (Engine 25+; older engines keep `interval`) and the
   * Kubernetes startup probe's period. Dependents start this much sooner after a service is up
   * than with Docker's own default of 5 s; each check is one short process in the container.
   */
  startIntervalSeconds: 2,
  /** Seconds one check may take. */
  timeoutSeconds: 5,
  /** Seconds the service may take to start before failed checks count. */
  startPeriodSeconds: 30,
  /**
   * Failed checks after the start period before the workload counts as failed to start: Docker's
   * `retries`, and what the Kubernetes startup probe allows beyond the start period.
   */
  retries: 6,
} as const;

/** A health check's timing with every default filled in. */
export type HealthTiming = { readonly [K in keyof typeof HEALTH_DEFAULTS]: number };

/** The timing both platforms realise for `h`: its overrides over {@link HEALTH_DEFAULTS}. */
export function healthTiming(h: HealthCheckSpec): HealthTiming {
  return {
    intervalSeconds: h.intervalSeconds ?? HEALTH_DEFAULTS.intervalSeconds,
    startIntervalSeconds: h.startIntervalSeconds ?? HEALTH_DEFAULTS.startIntervalSeconds,
    timeoutSeconds: h.timeoutSeconds ?? HEALTH_DEFAULTS.timeoutSeconds,
    startPeriodSeconds: h.startPeriodSeconds ?? HEALTH_DEFAULTS.startPeriodSeconds,
    retries: HEALTH_DEFAULTS.retries,
  };
}
