import { jest } from '@jest/globals';
import { dcnPortHosts, exactlyOnce, faultPlan, median, runKill9, seededRandom } from '../chaos/lib/kill9.mjs';

jest.setTimeout(240000);

/**
 * kill -9 under load (issue 15, item 1), the short variant of `npm run chaos -- kill9`: 20 hosts on
 * one switch and in one zone, port-group PATCHes, logical-network creates (Idempotency-Key, retried
 * until 2xx) and DCN migrations going on while the compute manager, the network manager, the host
 * agent and nats-server are each killed with SIGKILL once at a random moment and started again.
 * Every acknowledged change is in its log exactly once, each log is in its stream exactly once,
 * every host converges within 10 s of the last restart, no task stays running, and no DCN keeps a
 * port on two hosts. The seed is printed; VNET_CHAOS_SEED replays it.
 */
describe('kill -9 under load', () => {
  it('loses nothing, duplicates nothing, and every host converges', async () => {
    const seed = Number(process.env.VNET_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const lines: string[] = [];
    const result = await runKill9({ hosts: 20, kills: 1, seed, gapMs: [1000, 3000], log: (l) => lines.push(l) });
    process.stdout.write(`${lines.join('\n')}\n`);

    expect(result.problems).toEqual([]);
    expect(result.faultsByTarget).toEqual({ 'compute-manager': 1, 'network-manager': 1, 'host-agent': 1, 'nats-server': 1 });
    // The load really ran through the faults, and every check had something to check.
    expect(result.patches.acknowledged).toBeGreaterThan(10);
    expect(result.networks.acknowledged).toBeGreaterThan(3);
    expect(result.migrations).toBeGreaterThan(3);
    expect(result.patches).toMatchObject({ lost: 0, duplicated: 0 });
    expect(result.networks).toMatchObject({ lost: 0, duplicated: 0 });
    expect(result.bus).toEqual({
      EVENTS_NETWORK_MANAGER: { lost: 0, duplicated: 0 },
      EVENTS_COMPUTE_MANAGER: { lost: 0, duplicated: 0 },
    });
    expect(result.finalConvergenceMs).not.toBeNull();
    expect(result.finalConvergenceMs!).toBeLessThanOrEqual(10000);
    expect(result.tasks.checked).toBeGreaterThan(result.patches.acknowledged);
    expect(result.tasks.stillRunning).toBe(0);
    expect(result.dcnsOnTwoHosts).toBe(0);
  });
});

describe('kill -9 scenario checks', () => {
  it('plans each target the given number of times, the same for the same seed', () => {
    const a = faultPlan(['a', 'b', 'c'], 3, seededRandom(7));
    expect([...a].sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']);
    expect(faultPlan(['a', 'b', 'c'], 3, seededRandom(7))).toEqual(a);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('counts an acknowledged change recorded twice or never', () => {
    expect(exactlyOnce(['x', 'y', 'z'], ['x', 'z', 'z', 'w'])).toEqual({ lost: ['y'], duplicated: ['z'] });
  });

  it('finds a DCN with ports on two hosts', () => {
    const port = (dcnId: string) => ({ connectee: { type: 'dcn', dcnId } });
    const where = dcnPortHosts([
      {
        hostId: 'h1',
        computeSwitches: [{ ports: [port('d1'), { connectee: { type: 'management' } }] }],
        networkSwitch: { ports: [port('d2')] },
      },
      { hostId: 'h2', computeSwitches: [], networkSwitch: { ports: [port('d1')] } },
    ]);
    expect(where.get('d1')).toEqual(new Set(['h1', 'h2']));
    expect(where.get('d2')).toEqual(new Set(['h1']));
  });
});
