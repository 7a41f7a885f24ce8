/** One thing `/health` checks: resolves with details when up, throws (or rejects) when down. */
export interface HealthCheck {
  name: string;
  check(): Promise<Record<string, unknown> | void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
