import { Inject, Injectable } from '@nestjs/common';
import { HOST_ID_PATTERN, type HostReport } from '@vnet/contracts';
import { commandMetadata, EventLog, NotFoundError } from '@vnet/events';
import { DataSource } from 'typeorm';
import { Liveness } from '../heartbeats/liveness.js';
import type { HostView } from './dto/host.dto.js';
import type { RevokedCredentials } from './host-credentials.revoker.js';
import { HostAggregate, hostDecider } from './host.decider.js';

const REPORTS_CONSUMER = 'compute-manager.host-reports';

@Injectable()
export class HostsService {
  constructor(
    @Inject(EventLog) private readonly log: EventLog,
    private readonly dataSource: DataSource,
    private readonly liveness: Liveness,
  ) {}

  /** Adds a host to the inventory; answers whether it was new. */
  async add(hostId: string): Promise<{ created: boolean; host: HostView }> {
    const created = await this.log.execute(
      HostAggregate,
      hostId,
      commandMetadata(),
      (state) => hostDecider.decide({ type: 'AddHost', hostId }, state),
      (_state, _version, recorded) => recorded.length > 0,
    );
    return { created, host: await this.get(hostId) };
  }

  /** Records what a host's report changes; a redelivered report changes nothing twice. */
  async applyReport(report: HostReport, messageId: string, correlationId: string): Promise<void> {
    await this.log.execute(
      HostAggregate,
      report.hostId,
      { correlationId, causationId: messageId, actor: `host:${report.hostId}` },
      async (state, _version, tx) => {
        if (!(await tx.markHandled(REPORTS_CONSUMER, messageId))) return [];
        return hostDecider.decide({ type: 'ApplyHostReport', ...report }, state);
      },
      () => undefined,
    );
  }

  /**
   * Records in the host's stream that its credentials were revoked (once per NATS user: revoking
   * them again records nothing). Answers the revocation as first recorded, and whether it was already.
   */
  async recordRevocation(revoked: RevokedCredentials): Promise<RevokedCredentials & { alreadyRevoked: boolean }> {
    const { hostId, userKey } = revoked;
    return this.log.execute(
      HostAggregate,
      hostId,
      commandMetadata(),
      (state) => hostDecider.decide({ type: 'RecordCredentialsRevoked', ...revoked }, state),
      (state, _version, recorded) => ({
        hostId,
        userKey,
        revokedAt: state.revokedCredentials?.[userKey] ?? revoked.revokedAt,
        alreadyRevoked: recorded.length === 0,
      }),
    );
  }

  /** The host's revoked NATS users, oldest first (read model of HostCredentialsRevoked); 404 for a host never known. */
  async revocations(hostId: string): Promise<Array<{ userKey: string; revokedAt: string }>> {
    const rows: Array<{ user_key: string; revoked_at: Date }> = HOST_ID_PATTERN.test(hostId)
      ? await this.dataSource.query('SELECT user_key, revoked_at FROM host_credential_revocations WHERE host_id = $1 ORDER BY position', [hostId])
      : [];
    if (rows.length === 0) await this.get(hostId);
    return rows.map((r) => ({ userKey: r.user_key, revokedAt: new Date(r.revoked_at).toISOString() }));
  }

  async list(): Promise<HostView[]> {
    return this.views(await this.dataSource.query('SELECT host_id FROM hosts ORDER BY first_position'));
  }

  async get(hostId: string): Promise<HostView> {
    const rows = HOST_ID_PATTERN.test(hostId) ? await this.dataSource.query('SELECT host_id FROM hosts WHERE host_id = $1', [hostId]) : [];
    if (rows.length === 0) throw new NotFoundError('host', hostId);
    return (await this.views(rows))[0];
  }

  private async views(rows: Array<{ host_id: string }>): Promise<HostView[]> {
    if (rows.length === 0) return [];
    const held = await this.dataSource.query<Array<{ host_id: string; ids: string[] }>>(
      `SELECT h.host_id, array_agg(h.network_id::text ORDER BY l.first_position, h.network_id) AS ids
       FROM host_networks h JOIN learned_networks l ON l.id = h.network_id
       WHERE h.host_id = ANY($1::text[]) GROUP BY h.host_id`,
      [rows.map((r) => r.host_id)],
    );
    const byHost = new Map(held.map((h) => [h.host_id, h.ids]));
    const now = Date.now();
    return rows.map(({ host_id }) => {
      const seen = this.liveness.lastSeenAt(host_id);
      return {
        hostId: host_id,
        connectionState: this.liveness.state(host_id, now),
        lastSeenAt: seen === null ? null : new Date(seen).toISOString(),
        logicalNetworks: byHost.get(host_id) ?? [],
      };
    });
  }
}
