export const SERVICES = ['network-manager', 'compute-manager', 'host-agent'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Default HTTP ports (CONTRACT §1). */
export const DEFAULT_PORTS: Record<ServiceName, number> = {
  'network-manager': 7101,
  'compute-manager': 7102,
  'host-agent': 7103,
};
