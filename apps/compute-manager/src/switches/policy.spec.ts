import { DEFAULT_POLICY } from '@vnet/contracts';
import { InvalidInputError } from '@vnet/events';
import { completePolicy } from './policy.js';

describe('completePolicy', () => {
  it('fills missing parts from the base', () => {
    const p = completePolicy({ security: { promiscuous: true, macChanges: false, forgedTransmits: false } });
    expect(p.security.promiscuous).toBe(true);
    expect(p.teaming).toEqual(DEFAULT_POLICY.teaming);
  });

  it('rejects shaping whose peak is below its average, naming the field', () => {
    expect(() => completePolicy({ shaping: { enabled: true, averageBandwidthKbps: 1000, peakBandwidthKbps: 500, burstSizeKb: 10 } })).toThrow(InvalidInputError);
    expect(() => completePolicy({ shaping: { enabled: true, averageBandwidthKbps: 1000, peakBandwidthKbps: 500, burstSizeKb: 10 } })).toThrow(/peakBandwidthKbps/);
    expect(completePolicy({ shaping: { enabled: false, averageBandwidthKbps: 1000, peakBandwidthKbps: 500, burstSizeKb: 0 } }).shaping.enabled).toBe(false);
  });
});
