import type { HealthCheckSpec } from "./types";

/**
 * Health-check timing every workload gets unless its `HealthCheckSpec` says otherwise: the one
 * place these numbers live. A component overrides a value only where its service differs, and says
 * why next to the override.
 */
export const HEALTH_DEFAULTS = {
  /** Seconds between checks. */
  intervalSeconds: 10,
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
    timeoutSeconds: h.timeoutSeconds ?? HEALTH_DEFAULTS.timeoutSeconds,
    startPeriodSeconds: h.startPeriodSeconds ?? HEALTH_DEFAULTS.startPeriodSeconds,
    retries: HEALTH_DEFAULTS.retries,
  };
}
