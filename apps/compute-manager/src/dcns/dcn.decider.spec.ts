import { ConflictError, InvalidInputError, NotFoundError } from '@vnet/events';
import { deciderSpec } from '../../../../test/harness/decider-spec.js';
import { UnknownHostsError } from '../hosts/unknown-hosts.error.js';
import { type DcnCommand, type DcnEvent, dcnDecider, missingOnTarget, type Nic } from './dcn.decider.js';

type StartMigration = Extract<DcnCommand, { type: 'StartMigration' }>;

const spec = deciderSpec(dcnDecider);
const created: DcnEvent = { type: 'DcnCreated', data: { id: 'd1', name: 'vm', hostId: 'h1' } };
const webNic: Nic = { id: 'nic1', portId: 'p1', network: { kind: 'logical', id: 'net-web' } };
const pgNic: Nic = { id: 'nic2', portId: 'p2', network: { kind: 'port-group', id: 'pg1', switchId: 's1' } };
const attached: DcnEvent = { type: 'NicAttached', data: { id: 'd1', hostId: 'h1', nic: webNic } };

describe('DCN decider', () => {
  it('attaches a NIC only to a network the host holds, and not while the DCN migrates', () => {
    spec
      .given([created])
      .when({ type: 'AttachNic', id: 'd1', nic: webNic, hostHasNetwork: true, migrating: false })
      .then([attached]);
    spec
      .given([created])
      .when({ type: 'AttachNic', id: 'd1', nic: webNic, hostHasNetwork: false, migrating: false })
      .thenThrows(ConflictError, /does not hold/);
    spec
      .given([created])
      .when({ type: 'AttachNic', id: 'd1', nic: webNic, hostHasNetwork: true, migrating: true })
      .thenThrows(ConflictError, /is migrating/);
  });

  it('checks a migration without recording anything: refused with what is missing on the target, accepted otherwise', () => {
    const start: StartMigration = {
      type: 'StartMigration',
      id: 'd1',
      targetHostId: 'h2',
      targetKnown: true,
      missingOnTarget: [],
      migrating: false,
    };
    const refusal = (command: DcnCommand) => {
      try {
        dcnDecider.decide(command, [created, attached].reduce(dcnDecider.evolve, dcnDecider.initialState()));
      } catch (err) {
        return err;
      }
      throw new Error('not refused');
    };
    spec
      .given([created, attached])
      .when({ ...start, missingOnTarget: ['net-web'] })
      .thenThrows(ConflictError, /lacks networks/);
    expect(refusal({ ...start, missingOnTarget: ['net-web'] })).toMatchObject({
      code: 'NETWORK_NOT_ON_TARGET',
      details: { missing: ['net-web'] },
    });
    spec.given([created, attached]).when(start).then([]);
    spec
      .given([created])
      .when({ ...start, targetHostId: 'h1' })
      .thenThrows(InvalidInputError);
    spec
      .given([])
      .when(start)
      .thenThrows(NotFoundError, /DCN d1/);
  });

  it('refuses a DCN on, or a migration to, a host the compute manager does not know: 404 before anything else', () => {
    spec
      .given([])
      .when({ type: 'CreateDcn', id: 'd1', name: 'vm', hostId: 'zz', hostKnown: false })
      .thenThrows(UnknownHostsError, /host zz not found/);
    spec.given([]).when({ type: 'CreateDcn', id: 'd1', name: 'vm', hostId: 'h1', hostKnown: true }).then([created]);
    spec
      .given([created, attached])
      .when({
        type: 'StartMigration',
        id: 'd1',
        targetHostId: 'zz',
        targetKnown: false,
        missingOnTarget: ['net-web'],
        migrating: false,
      })
      .thenThrows(UnknownHostsError, /host zz not found/);
  });

  it('refuses a second migration while one is under way, or one an older log left started', () => {
    const start: StartMigration = {
      type: 'StartMigration',
      id: 'd1',
      targetHostId: 'h3',
      targetKnown: true,
      missingOnTarget: [],
      migrating: true,
    };
    spec
      .given([created, attached])
      .when(start)
      .thenThrows(ConflictError, /already migrating/);
    const legacy: DcnEvent = { type: 'DcnMigrationStarted', data: { id: 'd1', from: 'h1', to: 'h2' } };
    spec
      .given([created, legacy])
      .when({ ...start, migrating: false })
      .thenThrows(ConflictError, /already migrating/);
    spec
      .given([created, legacy])
      .when({ type: 'AttachNic', id: 'd1', nic: webNic, hostHasNetwork: true, migrating: false })
      .thenThrows(ConflictError, /is migrating/);
  });

  it('records the move once the target realized the ports: the only event of a migration', () => {
    spec
      .given([created, attached])
      .when({ type: 'CompleteMigration', id: 'd1', targetHostId: 'h2' })
      .then([{ type: 'DcnMigrated', data: { id: 'd1', from: 'h1', to: 'h2' } }]);
    spec
      .given([created, { type: 'DcnMigrated', data: { id: 'd1', from: 'h1', to: 'h2' } }])
      .when({ type: 'CompleteMigration', id: 'd1', targetHostId: 'h2' })
      .then([]);
  });

  it('aborts a migration an older log left started (at boot), and nothing otherwise', () => {
    const started: DcnEvent = { type: 'DcnMigrationStarted', data: { id: 'd1', from: 'h1', to: 'h2' } };
    spec
      .given([created, started])
      .when({ type: 'AbortMigration', id: 'd1', reason: 'restart' })
      .then([{ type: 'DcnMigrationAborted', data: { id: 'd1', from: 'h1', to: 'h2', reason: 'restart' } }]);
    spec
      .given([created, started, { type: 'DcnMigrationAborted', data: { id: 'd1', from: 'h1', to: 'h2', reason: 'restart' } }])
      .when({ type: 'StartMigration', id: 'd1', targetHostId: 'h2', targetKnown: true, missingOnTarget: [], migrating: false })
      .then([]);
    spec.given([created]).when({ type: 'AbortMigration', id: 'd1', reason: 'restart' }).then([]);
  });

  it("pushes a port's opaque data to the migration's target too, while the migration is under way", () => {
    const put = {
      type: 'ChangePortOpaqueData' as const,
      id: 'd1',
      op: 'put' as const,
      entity: { type: 'port' as const, id: 'p1' },
      namespace: 'ns',
      key: 'k',
      valueJson: '1',
      extensionKey: 'x',
    };
    const data = { id: 'd1', entity: put.entity, namespace: 'ns', key: 'k', valueJson: '1', extensionKey: 'x' };
    spec
      .given([created, attached])
      .when({ ...put, migratingTo: 'h2' })
      .then([{ type: 'OpaqueDataPut', data: { ...data, hostIds: ['h1', 'h2'] } }]);
    spec
      .given([created, attached])
      .when({ ...put, migratingTo: null })
      .then([{ type: 'OpaqueDataPut', data: { ...data, hostIds: ['h1'] } }]);
    const legacy: DcnEvent = { type: 'DcnMigrationStarted', data: { id: 'd1', from: 'h1', to: 'h3' } };
    spec
      .given([created, attached, legacy])
      .when(put)
      .then([{ type: 'OpaqueDataPut', data: { ...data, hostIds: ['h1', 'h3'] } }]);
  });

  it('compares networks by id: a same-named network elsewhere does not count', () => {
    expect(missingOnTarget([webNic, pgNic], { logicalNetworkIds: new Set(['net-web-2']), switchIds: new Set(['s1']) })).toEqual([
      'net-web',
    ]);
    expect(missingOnTarget([webNic, pgNic], { logicalNetworkIds: new Set(['net-web']), switchIds: new Set() })).toEqual(['pg1']);
    expect(missingOnTarget([webNic, pgNic], { logicalNetworkIds: new Set(['net-web']), switchIds: new Set(['s1']) })).toEqual([]);
  });
});
