import type { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock.js';
import type { ThrottledLog } from '../common/throttled-log.js';
import type { TimerWheel } from '../common/timer-wheel.js';
import type { ZoneFeeds } from '../desired-state/desired-state.feeds.js';
import type { ConstructCatalog } from '../network-switch/construct-catalog.js';
import type { Reporter } from '../reports/report.publisher.js';
import type { Committable } from '../store/commit-scheduler.js';
import type { OpenJournals } from '../store/open-journals.js';
import type { SyncSource } from './host-sync.js';
import type { ComputeDesiredSource } from '../compute-switch/compute-feeds.js';
import type { ConfirmationChannel } from '../compute-switch/apply-confirmation.js';
import type { RepairChannel } from '../compute-switch/management-repair.js';
import type { ModuleDataSender } from '../modules/module-data.publisher.js';

/** What every host of the process shares: one of each, however many hosts. */
export const HOST_CONTEXT = Symbol('HOST_CONTEXT');

export interface HostContext {
  catalog: ConstructCatalog;
  feeds: ZoneFeeds & { transportNodesReady(): Promise<void> };
  source: SyncSource;
  commits: { markDirty(target: Committable): void; markLazy(target: Committable): void };
  /** Bounds the journal descriptors the hosts' stores keep open. */
  openJournals?: OpenJournals;
  reports: { markDirty(host: Reporter): void };
  /** Sends what hosts' modules sent up, through each host's link. */
  moduleData: { markDirty(host: ModuleDataSender): void };
  retries: TimerWheel;
  clock: Clock;
  logger: Logger;
  /** For what thousands of hosts may hit at once (NATS away). */
  throttled: ThrottledLog;
  /** The compute manager's desired state, and the way back to it. */
  compute: {
    source: ComputeDesiredSource;
    /** Round trips and statuses through a host's own link. */
    channel: ConfirmationChannel;
    /** Management repair requests through a host's own link. */
    repairs: RepairChannel;
  };
}
