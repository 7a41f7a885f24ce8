import { Logger, type Provider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vnet/events';
import { join } from 'node:path';
import { CLOCK, type Clock } from '../common/clock.js';
import { ThrottledLog } from '../common/throttled-log.js';
import { TimerWheel } from '../common/timer-wheel.js';
import type { HostAgentConfig } from '../config/host-agent.config.js';
import { DesiredStateFeeds } from '../desired-state/desired-state.feeds.js';
import { DesiredStateReader } from '../desired-state/desired-state.reader.js';
import { ConstructCatalog } from '../network-switch/construct-catalog.js';
import { ReportPublisher } from '../reports/report.publisher.js';
import { CommitScheduler } from '../store/commit-scheduler.js';
import { defaultJournalLimit, OpenJournals } from '../store/open-journals.js';
import { ComputeFeeds } from '../compute-switch/compute-feeds.js';
import { RepairRequester } from '../compute-switch/repair.requester.js';
import { StatusSender } from '../compute-switch/status.sender.js';
import { HeartbeatSender } from '../link/heartbeat.sender.js';
import { ModuleDataPublisher } from '../modules/module-data.publisher.js';
import { HOST_CONTEXT, type HostContext } from './host-context.js';
import { HostCredentials } from './host-credentials.js';
import { credsUser } from './host-identity.js';
import { HostRegistry } from './host-registry.js';

const THROTTLE_MS = 10000;

export const hostContextProvider: Provider = {
  provide: HOST_CONTEXT,
  inject: [ConstructCatalog, DesiredStateFeeds, DesiredStateReader, CommitScheduler, ReportPublisher, CLOCK, ComputeFeeds, HeartbeatSender, StatusSender, RepairRequester, ModuleDataPublisher],
  useFactory: (
    catalog: ConstructCatalog,
    feeds: DesiredStateFeeds,
    source: DesiredStateReader,
    commits: CommitScheduler,
    reports: ReportPublisher,
    clock: Clock,
    compute: ComputeFeeds,
    heartbeats: HeartbeatSender,
    statuses: StatusSender,
    repairs: RepairRequester,
    moduleData: ModuleDataPublisher,
  ): HostContext => {
    const logger = new Logger('Host');
    return {
      catalog,
      feeds,
      source,
      commits,
      openJournals: new OpenJournals(defaultJournalLimit()),
      reports,
      moduleData,
      retries: new TimerWheel(100),
      clock,
      logger,
      throttled: new ThrottledLog(logger, THROTTLE_MS, () => clock.now()),
      compute: {
        source: compute,
        channel: {
          roundTrip: (host, timeoutMs) => heartbeats.roundTrip(host, timeoutMs),
          send: (host, outcome) => statuses.send(host, outcome),
        },
        repairs,
      },
    };
  },
};

/**
 * What mints hosts' credentials, with NATS_HOST_SIGNING_KEY: the account is NATS_ACCOUNT or else the
 * one of the agent's own credentials (hosts and agent belong to the same account).
 */
function hostCredentialsOf(config: HostAgentConfig): HostCredentials | undefined {
  if (!config.NATS_HOST_SIGNING_KEY) return undefined;
  const account = config.NATS_ACCOUNT ?? (config.NATS_CREDS ? credsUser(config.NATS_CREDS).account : undefined);
  if (!account) throw new Error('NATS_HOST_SIGNING_KEY needs NATS_ACCOUNT (or NATS_CREDS of a user of the account)');
  return new HostCredentials({ signingKeyFile: config.NATS_HOST_SIGNING_KEY, account });
}

export const hostRegistryProvider: Provider = {
  provide: HostRegistry,
  inject: [SERVICE_CONFIG, HOST_CONTEXT],
  useFactory: (config: HostAgentConfig, ctx: HostContext) =>
    new HostRegistry(
      {
        hostsDir: join(config.VNET_DATA_DIR, 'hosts'),
        singleHost: config.HOST_ID,
        count: config.HOSTS,
        credentials: hostCredentialsOf(config),
      },
      ctx,
    ),
};
