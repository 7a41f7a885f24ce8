import { api, eventually, SuiteStack, type RunningService } from './harness/stack.js';
import { taskEnd } from './harness/tasks.js';

const HOSTS = 500;
const ROLLBACK_TIMEOUT_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * No false rollback under load (CONTRACT §6.4): 500 hosts of one switch pushed at once with the
 * safety net on and no link cut, on a loaded machine. Every host proves the change by a round trip;
 * none rolls back because the bus or the manager was slow.
 */
describe('rollback under load: 500 hosts, no link cut, no rollback', () => {
  const stack = new SuiteStack();
  let cm: RunningService;
  let ha: RunningService;
  let compute: ReturnType<typeof api>;
  let hosts: ReturnType<typeof api>;
  const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);

  beforeAll(async () => {
    await stack.start();
    [cm, ha] = await Promise.all([
      stack.startService('compute-manager', { TASK_TIMEOUT_MS: '60000' }),
      stack.startService('host-agent', { HOSTS: String(HOSTS) }),
    ]);
    compute = api(cm.url);
    hosts = api(ha.url);
    await eventually(async () => (await compute.get('/hosts')).body.length === HOSTS, 60000, 'hosts known to the compute manager');
  }, 120000);
  afterAll(() => stack.stop(), 30000);

  it('a management port group and a change of it on every host at once: every host proves it, none rolls back', async () => {
    const task = (id: string) => taskEnd(compute, id, 60000);
    const created = await compute.post('/switches', { name: 'dvs', hostIds, rollbackTimeoutMs: ROLLBACK_TIMEOUT_MS });
    expect((await task(created.body.taskId)).state).toBe('succeeded');
    const switchId = created.body.id;
    const pg = await compute.post(`/switches/${switchId}/port-groups`, { name: 'mgmt', vlanId: 10, management: true });
    expect((await task(pg.body.taskId)).state).toBe('succeeded');
    const patched = await compute.patch(`/switches/${switchId}/port-groups/${pg.body.portGroupId}`, { vlanId: 20 });
    const t = await task(patched.body.taskId);
    const revision = (await compute.get(`/switches/${switchId}`)).body.revision;
    // Past every host's deadline and its allowance: a rollback would have happened by now.
    await sleep(ROLLBACK_TIMEOUT_MS + 1500);
    const views = await Promise.all(hostIds.map(async (h) => (await hosts.get(`/hosts/${h}`)).body));
    const pending = views.filter((v) => v.pendingRollback !== null).map((v) => v.hostId);
    const behind = views.filter((v) => v.computeSwitches.find((s: { id: string }) => s.id === switchId)?.revision !== revision).map((v) => v.hostId);
    expect(pending).toEqual([]);
    expect(behind).toEqual([]);
    const rolledBack = Object.entries(t.hosts as Record<string, { state: string }>).filter(([, h]) => h.state === 'rolled_back');
    expect(rolledBack).toEqual([]);
    expect(t.state).toBe('succeeded');
  }, 240000);
});
