import { Objm, type ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';

interface PortGroup {
  id: string;
  name: string;
  vlanId: number;
  management: boolean;
  policy: Record<string, unknown>;
}
interface SwitchView {
  id: string;
  name: string;
  revision: number;
  hostIds: string[];
  portGroups: PortGroup[];
}
interface HostView {
  computeSwitches: Array<{ id: string; revision: number; portGroups: PortGroup[] }>;
}

const CM_ENV = { TASK_TIMEOUT_MS: '8000', MIGRATION_TIMEOUT_MS: '5000' };
const MEMBERS = ['host-1', 'host-2', 'host-3'];
/** A port group as configured, whatever its id. */
const config = ({ name, vlanId, management, policy }: PortGroup) => ({ name, vlanId, management, policy });

/** Switch snapshots outside the compute manager's database, restored onto the same, a new or another switch (CONTRACT §5, §6.6). */
describe('switch snapshots', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let ha: RunningService;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  let nc: NatsConnection;
  let bucket: ObjectStore;
  let switchId: string;
  let snapshot: { id: string; switchId: string; revision: number; createdAt: string; location: string };
  let snapshotted: SwitchView;

  const task = (id: string) =>
    eventually(
      async () => {
        const t = (await compute.get(`/tasks/${id}`)).body;
        return t.state !== 'running' ? t : null;
      },
      20000,
      `task ${id} to end`,
    );
  const switchOn = async (hostId: string, id: string) =>
    (await hosts.get<HostView>(`/hosts/${hostId}`)).body.computeSwitches.find((s) => s.id === id);
  /** The last position of the compute manager's log (0 when it is empty). */
  const lastPosition = async () => {
    let after = 0;
    for (;;) {
      const page = (await compute.get(`/events?after=${after}&limit=1000`)).body;
      if (page.events.length) after = page.events[page.events.length - 1].position;
      if (page.next === null || page.events.length === 0) return after;
      after = page.next;
    }
  };
  /** Every host of `hostIds` runs `id` at `revision` with exactly these port groups. */
  const converged = (id: string, hostIds: string[], revision: number, portGroups: PortGroup[]) =>
    Promise.all(
      hostIds.map((h) =>
        eventually(
          async () => {
            const sw = await switchOn(h, id);
            return (
              sw?.revision === revision &&
              JSON.stringify(sw.portGroups.map(({ id: pgId, ...c }) => ({ id: pgId, ...config(c as PortGroup) }))) ===
                JSON.stringify(portGroups.map((p) => ({ id: p.id, ...config(p) })))
            );
          },
          15000,
          `${h} to run ${id} at revision ${revision}`,
        ),
      ),
    );

  beforeAll(async () => {
    await stack.start();
    [cm, ha] = await Promise.all([
      stack.startService('compute-manager', CM_ENV),
      stack.startService('host-agent', { HOSTS: '3' }),
    ]);
    compute = api(cm.url);
    hosts = api(ha.url);
    nc = await connect(await stack.natsOptions());
    await eventually(async () => (await compute.get('/hosts')).body.length === 3, 15000, 'hosts known to the compute manager');
    const created = await compute.post('/switches', { name: 'dvs', hostIds: MEMBERS });
    switchId = created.body.id;
    expect((await task(created.body.taskId)).state).toBe('succeeded');
    const web = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    const db = await compute.post(`/switches/${switchId}/port-groups`, {
      name: 'db',
      vlanId: 20,
      policy: { security: { promiscuous: true, macChanges: false, forgedTransmits: false } },
    });
    expect((await task(web.body.taskId)).state).toBe('succeeded');
    expect((await task(db.body.taskId)).state).toBe('succeeded');
    snapshotted = (await compute.get(`/switches/${switchId}`)).body;
    bucket = await new Objm(nc).open('vnet-snapshots');
  }, 120000);
  afterAll(async () => {
    await nc?.close();
    await stack.stop();
  }, 30000);

  it('writes a self-describing document to the object store, once per Idempotency-Key', async () => {
    const headers = { 'idempotency-key': `snap-${randomUUID()}` };
    const made = await compute.post(`/switches/${switchId}/snapshots`, undefined, headers);
    expect(made.status).toBe(201);
    snapshot = made.body;
    expect(snapshot).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      switchId,
      revision: snapshotted.revision,
      createdAt: expect.any(String),
      location: `nats-object://vnet-snapshots/${snapshot.id}`,
    });
    const again = await compute.post(`/switches/${switchId}/snapshots`, undefined, headers);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(snapshot);
    expect((await compute.get('/snapshots')).body).toEqual([snapshot]);

    const doc = JSON.parse(new TextDecoder().decode((await bucket.getBlob(snapshot.id))!));
    expect(doc).toEqual({
      schema: 'vnet.switch-snapshot',
      schemaVersion: 2,
      id: snapshot.id,
      createdAt: snapshot.createdAt,
      switch: {
        id: switchId,
        name: 'dvs',
        revision: snapshotted.revision,
        mtu: 1500,
        rollbackTimeoutMs: 30000,
        hostIds: MEMBERS,
        portGroups: snapshotted.portGroups,
      },
      overrides: [],
      opaque: { entries: [] },
    });
    expect((await compute.get(`/snapshots/${snapshot.id}`)).body).toMatchObject({
      ...snapshot,
      switch: { portGroups: snapshotted.portGroups },
    });
  }, 30000);

  it('refuses an unknown switch or snapshot with 404, and a bad target with 400 naming the field', async () => {
    const unknown = randomUUID();
    expect((await compute.post(`/switches/${unknown}/snapshots`)).status).toBe(404);
    expect((await compute.get('/snapshots')).body).toHaveLength(1);
    for (const path of [`/snapshots/${unknown}`, '/snapshots/not-a-uuid']) {
      expect(await compute.get(path)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect(await compute.post(`${path}/restore`, { target: { mode: 'same' } })).toMatchObject({
        status: 404,
        body: { code: 'NOT_FOUND' },
      });
    }
    const restore = (target: unknown) =>
      compute.post(`/snapshots/${snapshot.id}/restore`, target === undefined ? {} : { target });
    const before = await lastPosition();
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /target/],
      [{ mode: 'sideways' }, /target\.mode/],
      [{ mode: 'new' }, /target\.name/],
      [{ mode: 'existing' }, /target\.switchId/],
      [{ mode: 'same', name: 'x' }, /target\.name/],
      [{ mode: 'new', name: 'x', hostIds: ['bad host'] }, /target\.hostIds/],
      [{ mode: 'same', colour: 'red' }, /colour/],
    ];
    for (const [target, field] of cases) {
      const res = await restore(target);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(field);
    }
    expect(await restore({ mode: 'existing', switchId: unknown })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await restore({ mode: 'new', name: 'x', hostIds: ['host-1', 'ghost-1', 'ghost-2'] })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', hostIds: ['ghost-1', 'ghost-2'] },
    });
    expect(await lastPosition()).toBe(before);
  }, 30000);

  it('restores the same switch after changes: the switch, every host, the task and the log', async () => {
    const [web] = snapshotted.portGroups;
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${web.id}`, { vlanId: 11 });
    const added = await compute.post(`/switches/${switchId}/port-groups`, { name: 'extra', vlanId: 30 });
    expect((await task(patched.body.taskId)).state).toBe('succeeded');
    expect((await task(added.body.taskId)).state).toBe('succeeded');
    const changed = (await compute.get<SwitchView>(`/switches/${switchId}`)).body;
    expect(changed.portGroups).toHaveLength(3);
    const before = await lastPosition();

    const restored = await compute.post(`/snapshots/${snapshot.id}/restore`, { target: { mode: 'same' } });
    expect(restored.status).toBe(202);
    expect(restored.body).toEqual({ taskId: expect.any(String), switchId });
    const t = await task(restored.body.taskId);
    expect(t.state).toBe('succeeded');
    expect(Object.keys(t.hosts).sort()).toEqual(MEMBERS);
    for (const h of MEMBERS) expect(t.hosts[h].state).toBe('succeeded');

    const now = (await compute.get<SwitchView>(`/switches/${switchId}`)).body;
    expect(now.revision).toBe(changed.revision + 1);
    expect(now.hostIds).toEqual(MEMBERS);
    expect(now.portGroups).toEqual(snapshotted.portGroups);
    await converged(switchId, MEMBERS, now.revision, snapshotted.portGroups);

    const events = (await compute.get(`/events?streamId=${switchId}&after=${before}`)).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['SwitchStateRestored']);
    expect(events[0].data).toMatchObject({ revision: now.revision, cause: { kind: 'snapshot', snapshotId: snapshot.id } });
  }, 60000);

  it("restores onto a new switch: the snapshot's hosts, or those given; new port group ids; once per Idempotency-Key", async () => {
    const headers = { 'idempotency-key': `restore-${randomUUID()}` };
    const count = (await compute.get('/switches')).body.length;
    const copy = await compute.post(`/snapshots/${snapshot.id}/restore`, { target: { mode: 'new', name: 'copy' } }, headers);
    expect(copy.status).toBe(202);
    const replay = await compute.post(`/snapshots/${snapshot.id}/restore`, { target: { mode: 'new', name: 'copy' } }, headers);
    expect(replay).toMatchObject({ status: 202, body: copy.body });
    expect((await compute.get('/switches')).body).toHaveLength(count + 1);
    expect((await task(copy.body.taskId)).state).toBe('succeeded');
    const sw = (await compute.get<SwitchView>(`/switches/${copy.body.switchId}`)).body;
    expect(sw.id).not.toBe(switchId);
    expect(sw).toMatchObject({ name: 'copy', hostIds: MEMBERS });
    expect(sw.portGroups.map(config)).toEqual(snapshotted.portGroups.map(config));
    for (const p of sw.portGroups) expect(snapshotted.portGroups.map((s) => s.id)).not.toContain(p.id);
    await converged(sw.id, MEMBERS, sw.revision, sw.portGroups);

    const only = await compute.post(`/snapshots/${snapshot.id}/restore`, {
      target: { mode: 'new', name: 'on-2', hostIds: ['host-2'] },
    });
    expect(only.status).toBe(202);
    const t = await task(only.body.taskId);
    expect(t.state).toBe('succeeded');
    expect(Object.keys(t.hosts)).toEqual(['host-2']);
    const narrow = (await compute.get<SwitchView>(`/switches/${only.body.switchId}`)).body;
    expect(narrow.hostIds).toEqual(['host-2']);
    await converged(narrow.id, ['host-2'], narrow.revision, narrow.portGroups);
    expect(await switchOn('host-1', narrow.id)).toBeUndefined();
    expect(await switchOn('host-3', narrow.id)).toBeUndefined();
  }, 60000);

  it('restores onto an existing switch, which keeps its own hosts and takes the port groups under new ids', async () => {
    const other = await compute.post('/switches', { name: 'other', hostIds: ['host-3'] });
    expect((await task(other.body.taskId)).state).toBe('succeeded');
    const own = await compute.post(`/switches/${other.body.id}/port-groups`, { name: 'own', vlanId: 99 });
    expect((await task(own.body.taskId)).state).toBe('succeeded');

    const res = await compute.post(`/snapshots/${snapshot.id}/restore`, {
      target: { mode: 'existing', switchId: other.body.id },
    });
    expect(res).toMatchObject({ status: 202, body: { switchId: other.body.id } });
    expect((await task(res.body.taskId)).state).toBe('succeeded');
    const sw = (await compute.get<SwitchView>(`/switches/${other.body.id}`)).body;
    expect(sw).toMatchObject({ name: 'other', hostIds: ['host-3'] });
    expect(sw.portGroups.map(config)).toEqual(snapshotted.portGroups.map(config));
    for (const p of sw.portGroups) expect([own.body.portGroupId, ...snapshotted.portGroups.map((s) => s.id)]).not.toContain(p.id);
    await converged(sw.id, ['host-3'], sw.revision, sw.portGroups);
  }, 60000);

  it('refuses a corrupt, unknown-version or invalid document with 422 SNAPSHOT_INVALID, and records nothing', async () => {
    const good = JSON.parse(new TextDecoder().decode((await bucket.getBlob(snapshot.id))!));
    const put = async (content: string | object) => {
      const id = randomUUID();
      const text = typeof content === 'string' ? content : JSON.stringify({ ...content, id });
      await bucket.putBlob({ name: id }, new TextEncoder().encode(text));
      return id;
    };
    const cases: Array<[string, RegExp]> = [
      [await put('this is { not json'), /not JSON/],
      [await put({ ...good, schemaVersion: 7 }), /schemaVersion: 7 is not a version/],
      [await put({ ...good, schema: 'vnet.other' }), /schema: "vnet\.other"/],
      [
        await put({
          ...good,
          switch: { ...good.switch, portGroups: [{ ...good.switch.portGroups[0], vlanId: 5000 }, good.switch.portGroups[1]] },
        }),
        /switch\.portGroups\.0\.vlanId/,
      ],
    ];
    const before = await lastPosition();
    const switchesBefore = (await compute.get('/switches')).body;
    for (const [id, why] of cases) {
      for (const target of [{ mode: 'same' }, { mode: 'new', name: 'x' }, { mode: 'existing', switchId }]) {
        const res = await compute.post(`/snapshots/${id}/restore`, { target });
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ statusCode: 422, code: 'SNAPSHOT_INVALID', problems: [expect.stringMatching(why)] });
        expect(res.body.message).toMatch(why);
      }
      expect(await compute.get(`/snapshots/${id}`)).toMatchObject({ status: 422, body: { code: 'SNAPSHOT_INVALID' } });
    }
    expect(await lastPosition()).toBe(before);
    expect((await compute.get('/switches')).body).toEqual(switchesBefore);
    // What cannot be read as a snapshot is not listed as one.
    expect((await compute.get('/snapshots')).body).toEqual([snapshot]);
  }, 60000);

  it("is still listed after the compute manager's database is lost, and restoring the same switch creates it again", async () => {
    // The switch moves on past the snapshot before the database is lost: its hosts hold that later revision.
    const [web] = snapshotted.portGroups;
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${web.id}`, { vlanId: 12 });
    expect((await task(patched.body.taskId)).state).toBe('succeeded');
    const held = (await compute.get<SwitchView>(`/switches/${switchId}`)).body.revision;
    const second = (await compute.post(`/switches/${switchId}/snapshots`)).body;

    await cm.stop();
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query('DROP SCHEMA compute_manager CASCADE');
    await db.end();
    cm = await stack.startService('compute-manager', CM_ENV);
    compute = api(cm.url);
    expect((await compute.get('/switches')).body).toEqual([]);
    expect((await compute.get('/snapshots')).body).toEqual([snapshot, second]);

    // The hosts are known again once they report to the new database, or the operator adds them.
    for (const hostId of MEMBERS) expect([200, 201]).toContain((await compute.post('/hosts', { hostId })).status);
    const res = await compute.post(`/snapshots/${snapshot.id}/restore`, { target: { mode: 'same' } });
    expect(res).toMatchObject({ status: 202, body: { switchId } });
    const t = await task(res.body.taskId);
    expect(t.state).toBe('succeeded');
    expect(Object.keys(t.hosts).sort()).toEqual(MEMBERS);

    const sw = (await compute.get<SwitchView>(`/switches/${switchId}`)).body;
    expect(sw).toMatchObject({ id: switchId, name: 'dvs', hostIds: MEMBERS, portGroups: snapshotted.portGroups });
    expect(sw.revision).toBeGreaterThan(held);
    await converged(switchId, MEMBERS, sw.revision, snapshotted.portGroups);
    const events = (await compute.get(`/events?streamId=${switchId}`)).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['SwitchCreated', 'SwitchStateRestored']);
    expect(events[1].data.cause).toEqual({ kind: 'snapshot', snapshotId: snapshot.id });
  }, 120000);
});
