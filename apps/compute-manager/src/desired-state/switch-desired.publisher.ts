import { Injectable } from '@nestjs/common';
import type { SwitchDesired } from '@vnet/contracts';
import { currentContext } from '@vnet/events';
import { DataSource } from 'typeorm';
import { opaqueEntries } from '../opaque-data/opaque-map.js';
import type { SwitchState } from '../switches/switch.decider.js';
import { ComputeDesiredStateBuckets } from './desired-state.buckets.js';
import { LatestValue } from './latest-value.js';

/** The change a publish follows: the revision it made and its correlation id. */
export interface ChangeOrigin {
  revision: number;
  correlationId: string;
}

export function toDesired(state: SwitchState, correlationId?: string): SwitchDesired {
  const opaque = opaqueEntries(state.opaque);
  return {
    id: state.id,
    name: state.name,
    revision: state.revision,
    mtu: state.mtu,
    rollbackTimeoutMs: state.rollbackTimeoutMs,
    hostIds: state.hostIds,
    portGroups: state.portGroups,
    rollback: state.rollback,
    ...(opaque.length ? { opaque } : {}),
    ...(correlationId ? { correlationId } : {}),
  };
}

/**
 * Puts a switch's final state into the bucket its hosts watch: once per change, whatever the
 * number of hosts. Called right after a change commits with the state in hand (the fast path) and
 * again from the log's events (the path that survives a crash in between), which reads the current
 * state; a value already at that revision is kept, and an older one never replaces a newer one.
 * The value carries the correlation id of the change that made its revision (the fast path's is
 * the request's, the log's the event's), and none when the state read is already a later one.
 */
@Injectable()
export class SwitchDesiredPublisher {
  private readonly latest: LatestValue;

  constructor(
    buckets: ComputeDesiredStateBuckets,
    private readonly dataSource: DataSource,
  ) {
    this.latest = new LatestValue(
      (key, json) => buckets.switches.put(key, json),
      async (key) => {
        const entry = await buckets.switches.get(key);
        return entry?.value.length ? entry.json<SwitchDesired>().revision : undefined;
      },
    );
  }

  async publish(switchId: string, state?: SwitchState, origin?: ChangeOrigin): Promise<void> {
    const correlationId = currentContext()?.correlationId;
    const change = origin ?? (state && correlationId ? { revision: state.revision, correlationId } : undefined);
    await this.latest.publish(switchId, async () => {
      const current = state ?? (await this.current(switchId));
      if (!current) return null;
      const traced = change?.revision === current.revision ? change.correlationId : undefined;
      return { revision: current.revision, json: JSON.stringify(toDesired(current, traced)) };
    });
  }

  /** The bucket was lost and created again: puts every switch's final state again, from the read model. */
  async republishAll(): Promise<number> {
    this.latest.forget();
    const rows = await this.dataSource.query<Array<{ id: string }>>('SELECT id FROM switches ORDER BY id');
    for (const row of rows) await this.publish(row.id);
    return rows.length;
  }

  private async current(switchId: string): Promise<SwitchState | undefined> {
    const rows = await this.dataSource.query<Array<{ state: SwitchState }>>('SELECT state FROM switches WHERE id = $1', [
      switchId,
    ]);
    return rows[0]?.state;
  }
}
