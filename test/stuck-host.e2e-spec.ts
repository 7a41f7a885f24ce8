import { jest } from '@jest/globals';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HOST_STATUS_SUBJECTS, type HostApplyStatus } from '@vnet/contracts';
import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

// Longer than Jest's 5 s default: a host stays paused until a task's deadline passes (on a loaded machine too).
jest.setTimeout(90000);

const OTHERS = 20;
const STUCK = 'host-21';
/** Shorter than the pause: the push's task ends while the paused host has not read it. */
const TASK_TIMEOUT_MS = 9000;

interface HostView {
  computeSwitches: Array<{ id: string; revision: number; portGroups: Array<{ id: string; vlanId: number }> }>;
}

/**
 * A host that stops reading (its host agent paused with SIGSTOP, its connection open) holds up no
 * other host: the push reaches the other 20 while it is stopped, the task names it as the one that
 * did not apply, and it catches up once resumed (issue 15, item 6; the 2,000-host run is
 * `npm run chaos -- stuck-host`).
 */
describe('a stuck host: the others are pushed to meanwhile, and it catches up when resumed', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let stuck: RunningService;
  let compute: ReturnType<typeof api>;
  let nc: NatsConnection;
  const others = Array.from({ length: OTHERS }, (_, i) => `host-${i + 1}`);
  const statuses: Array<HostApplyStatus & { receivedAt: number }> = [];
  let switchId: string;
  let web: string;

  const appliedBy = (hostIds: string[], revision: number) =>
    hostIds.every((h) =>
      statuses.some(
        (s) =>
          s.hostId === h && s.kind === 'switch' && s.targetId === switchId && s.state === 'applied' && s.revision >= revision,
      ),
    );
  const signal = (sig: NodeJS.Signals) => {
    if (stuck?.process.exitCode === null && stuck.process.signalCode === null) process.kill(stuck.process.pid!, sig);
  };

  beforeAll(async () => {
    await stack.start();
    [cm] = await Promise.all([
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: String(TASK_TIMEOUT_MS) }),
      stack.startService('host-agent', { HOSTS: String(OTHERS) }),
    ]);
    // The host to pause: a host agent of its own, as on a real hypervisor, with its own data directory.
    // As that host on the bus: it mints its own credentials with the hosts' signing key, no union principal.
    stuck = await stack.startService('host-agent', {
      HOST_ID: STUCK,
      VNET_DATA_DIR: join(stack.dir, 'data-stuck'),
      NATS_CREDS: '',
    });
    compute = api(cm.url);
    nc = await connect(await stack.natsOptions());
    nc.subscribe(HOST_STATUS_SUBJECTS, {
      callback: (_e, m) => void statuses.push({ ...m.json<HostApplyStatus>(), receivedAt: Date.now() }),
    });
    await nc.flush();
    await eventually(
      async () => (await compute.get('/hosts')).body.length === OTHERS + 1,
      30000,
      'hosts known to the compute manager',
    );
    const created = await compute.post('/switches', { name: 'dvs', hostIds: [...others, STUCK], rollbackTimeoutMs: 3000 });
    switchId = created.body.id;
    expect((await taskEnd(compute, created.body.taskId, 30000)).state).toBe('succeeded');
    const pg = await compute.post(`/switches/${switchId}/port-groups`, { name: 'web', vlanId: 10 });
    web = pg.body.portGroupId;
    expect((await taskEnd(compute, pg.body.taskId, 30000)).state).toBe('succeeded');
  }, 90000);
  afterAll(async () => {
    signal('SIGCONT'); // a stopped process cannot act on SIGTERM
    await nc?.close();
    await stack.stop();
  }, 60000);

  it('pushes to the others while it is stopped, reports it failed at the deadline, and it applies the latest revision after SIGCONT', async () => {
    signal('SIGSTOP');
    const tStop = Date.now();
    try {
      const patched = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 11 });
      expect(patched.status).toBe(202);
      const revision = (await compute.get(`/switches/${switchId}`)).body.revision;
      // Every other host applies and reports while the paused one reads nothing.
      await eventually(async () => appliedBy(others, revision), 20000, 'the other hosts to apply the push');
      // The task has each of them succeeded, and the paused host pending (failed, on a machine so slow the deadline passed).
      const meanwhile = (await compute.get(`/tasks/${patched.body.taskId}`)).body;
      for (const h of others) expect(meanwhile.hosts[h].state).toBe('succeeded');
      expect(meanwhile.hosts[STUCK].state).toBe(meanwhile.state === 'running' ? 'pending' : 'failed');

      // At the deadline the task ends, naming the host that did not apply; the others succeeded.
      const ended = await taskEnd(compute, patched.body.taskId, 30000);
      expect(ended.state).toBe('failed');
      expect(ended.hosts[STUCK]).toEqual({ state: 'failed', detail: expect.stringMatching(/did not report/) });
      for (const h of others) expect(ended.hosts[h].state).toBe('succeeded');
      expect(statuses.some((s) => s.hostId === STUCK && s.revision >= revision)).toBe(false);
      expect((await compute.get(`/hosts/${STUCK}`)).body.connectionState).toBe('disconnected');

      // A second push while it is still stopped goes through as promptly.
      const again = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 12 });
      const latest = (await compute.get(`/switches/${switchId}`)).body.revision;
      await eventually(async () => appliedBy(others, latest), 20000, 'the other hosts to apply the second push');
      expect((await compute.get(`/tasks/${again.body.taskId}`)).body.hosts[STUCK].state).toBe('pending');
      expect(Date.now() - tStop).toBeGreaterThanOrEqual(TASK_TIMEOUT_MS);

      // Resumed: it reads what it missed and runs the latest revision, and its link is back.
      signal('SIGCONT');
      const tCont = Date.now();
      await eventually(async () => appliedBy([STUCK], latest), 30000, 'the resumed host to apply the latest revision');
      const view = (await api(stuck.url).get<HostView>(`/hosts/${STUCK}`)).body;
      const sw = view.computeSwitches.find((s) => s.id === switchId)!;
      expect(sw.revision).toBe(latest);
      expect(sw.portGroups.find((p) => p.id === web)?.vlanId).toBe(12);
      // The second push's task says what happened to it: applied if it caught up before the deadline, timed out if not.
      const second = (await taskEnd(compute, again.body.taskId, 30000)).hosts[STUCK];
      const caughtUpAt = statuses.find((s) => s.hostId === STUCK && s.state === 'applied' && s.revision >= latest)!.receivedAt;
      expect(second).toEqual(
        second.state === 'succeeded'
          ? { state: 'succeeded', detail: `applied revision ${latest}` }
          : { state: 'failed', detail: expect.stringMatching(/did not report/) },
      );
      await eventually(
        async () => (await compute.get(`/hosts/${STUCK}`)).body.connectionState === 'connected',
        15000,
        'the host to be connected again',
      );
      console.log(
        `stuck host: paused ${Math.round((tCont - tStop) / 1000)} s; the latest revision applied ${caughtUpAt - tCont} ms after SIGCONT`,
      );
    } finally {
      signal('SIGCONT');
    }

    // Everything runs as before: a push reaches all 21 hosts.
    const last = await compute.patch(`/switches/${switchId}/port-groups/${web}`, { vlanId: 13 });
    expect((await taskEnd(compute, last.body.taskId, 30000)).state).toBe('succeeded');
  });
});
