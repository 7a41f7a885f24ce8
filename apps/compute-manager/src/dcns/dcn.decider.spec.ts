import { ConflictError, InvalidInputError } from '@vnet/events';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { UnknownHostsError } from '../hosts/unknown-hosts.error.js';
import { type DcnEvent, dcnDecider, missingOnTarget, type Nic } from './dcn.decider.js';

const spec = deciderSpec(dcnDecider);
const created: DcnEvent = { type: 'DcnCreated', data: { id: 'd1', name: 'vm', hostId: 'h1' } };
const webNic: Nic = { id: 'nic1', portId: 'p1', network: { kind: 'logical', id: 'net-web' } };
const pgNic: Nic = { id: 'nic2', portId: 'p2', network: { kind: 'port-group', id: 'pg1', switchId: 's1' } };
const attached: DcnEvent = { type: 'NicAttached', data: { id: 'd1', hostId: 'h1', nic: webNic } };

describe('DCN decider', () => {
  it('attaches a NIC only to a network the host holds', () => {
    spec.given([created]).when({ type: 'AttachNic', id: 'd1', nic: webNic, hostHasNetwork: true }).then([attached]);
    spec.given([created]).when({ type: 'AttachNic', id: 'd1', nic: webNic, hostHasNetwork: false }).thenThrows(ConflictError, /does not hold/);
  });

  it('refuses a migration with what is missing on the target, and starts it otherwise', () => {
    spec.given([created, attached]).when({ type: 'StartMigration', id: 'd1', targetHostId: 'h2', targetKnown: true, missingOnTarget: ['net-web'] }).thenThrows(ConflictError);
    spec.given([created, attached]).when({ type: 'StartMigration', id: 'd1', targetHostId: 'h2', targetKnown: true, missingOnTarget: [] }).then([
      { type: 'DcnMigrationStarted', data: { id: 'd1', from: 'h1', to: 'h2' } },
    ]);
    spec.given([created]).when({ type: 'StartMigration', id: 'd1', targetHostId: 'h1', targetKnown: true, missingOnTarget: [] }).thenThrows(InvalidInputError);
  });

  it('refuses a DCN on, or a migration to, a host the compute manager does not know: 404 before anything else', () => {
    spec.given([]).when({ type: 'CreateDcn', id: 'd1', name: 'vm', hostId: 'zz', hostKnown: false }).thenThrows(UnknownHostsError, /host zz not found/);
    spec.given([]).when({ type: 'CreateDcn', id: 'd1', name: 'vm', hostId: 'h1', hostKnown: true }).then([created]);
    spec.given([created, attached]).when({ type: 'StartMigration', id: 'd1', targetHostId: 'zz', targetKnown: false, missingOnTarget: ['net-web'] })
      .thenThrows(UnknownHostsError, /host zz not found/);
  });

  it('completes or aborts a started migration, and refuses a second one meanwhile', () => {
    const started: DcnEvent = { type: 'DcnMigrationStarted', data: { id: 'd1', from: 'h1', to: 'h2' } };
    spec.given([created, started]).when({ type: 'CompleteMigration', id: 'd1' }).then([{ type: 'DcnMigrated', data: { id: 'd1', from: 'h1', to: 'h2' } }]);
    spec.given([created, started]).when({ type: 'AbortMigration', id: 'd1', reason: 'timeout' }).then([
      { type: 'DcnMigrationAborted', data: { id: 'd1', from: 'h1', to: 'h2', reason: 'timeout' } },
    ]);
    spec.given([created, started]).when({ type: 'StartMigration', id: 'd1', targetHostId: 'h3', targetKnown: true, missingOnTarget: [] }).thenThrows(ConflictError, /already migrating/);
  });

  it('compares networks by id: a same-named network elsewhere does not count', () => {
    expect(missingOnTarget([webNic, pgNic], { logicalNetworkIds: new Set(['net-web-2']), switchIds: new Set(['s1']) })).toEqual(['net-web']);
    expect(missingOnTarget([webNic, pgNic], { logicalNetworkIds: new Set(['net-web']), switchIds: new Set() })).toEqual(['pg1']);
    expect(missingOnTarget([webNic, pgNic], { logicalNetworkIds: new Set(['net-web']), switchIds: new Set(['s1']) })).toEqual([]);
  });
});
