import { Injectable } from '@nestjs/common';
import type { SwitchDesired } from '@vnet/contracts';
import { DataSource } from 'typeorm';
import type { SwitchState } from '../switches/switch.decider.js';
import { ComputeDesiredStateBuckets } from './desired-state.buckets.js';

export function toDesired(state: SwitchState): SwitchDesired {
  return {
    id: state.id,
    name: state.name,
    revision: state.revision,
    mtu: state.mtu,
    rollbackTimeoutMs: state.rollbackTimeoutMs,
    hostIds: state.hostIds,
    portGroups: state.portGroups,
    rollback: state.rollback,
  };
}

/**
 * Puts a switch's final state into the bucket its hosts watch: once per change, whatever the
 * number of hosts. Called right after a change commits (the fast path) and again from the log's
 * events (the path that survives a crash in between); a value already at that revision is kept.
 */
@Injectable()
export class SwitchDesiredPublisher {
  private readonly published = new Map<string, number>();

  constructor(
    private readonly buckets: ComputeDesiredStateBuckets,
    private readonly dataSource: DataSource,
  ) {}

  async publish(switchId: string): Promise<void> {
    const rows = await this.dataSource.query<Array<{ state: SwitchState }>>('SELECT state FROM switches WHERE id = $1', [switchId]);
    if (!rows[0]) return;
    const state = rows[0].state;
    if ((this.published.get(switchId) ?? 0) >= state.revision) return;
    const current = await this.buckets.switches.get(switchId);
    if (current?.value.length && (current.json<SwitchDesired>().revision ?? 0) >= state.revision) {
      this.published.set(switchId, current.json<SwitchDesired>().revision);
      return;
    }
    await this.buckets.switches.put(switchId, JSON.stringify(toDesired(state)));
    this.published.set(switchId, state.revision);
  }
}
