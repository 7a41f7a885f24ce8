import { DEFAULT_POLICY, type PortGroupPolicy } from '@vnet/contracts';
import { InvalidInputError } from '@vnet/events';

export type PolicyInput = Partial<{ [K in keyof PortGroupPolicy]: PortGroupPolicy[K] }>;

/** The policy a port group gets: each part given replaces that part of `base`; checked as a whole. */
export function completePolicy(input: PolicyInput | undefined, base: PortGroupPolicy = DEFAULT_POLICY): PortGroupPolicy {
  const policy: PortGroupPolicy = {
    security: { ...(input?.security ?? base.security) },
    teaming: { ...(input?.teaming ?? base.teaming) },
    shaping: { ...(input?.shaping ?? base.shaping) },
  };
  const s = policy.shaping;
  if (s.enabled) {
    if (s.averageBandwidthKbps <= 0) throw new InvalidInputError({ 'policy.shaping.averageBandwidthKbps': 'must be above 0 when shaping is enabled' });
    if (s.peakBandwidthKbps < s.averageBandwidthKbps) {
      throw new InvalidInputError({ 'policy.shaping.peakBandwidthKbps': 'must be at least policy.shaping.averageBandwidthKbps' });
    }
  }
  return policy;
}
