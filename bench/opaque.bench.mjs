// A 16 KiB opaque value put on a switch of 2,000 hosts: PUT → every host holds it (its module sees it), vs a raw NATS fan-out of the same bytes.
import { connect } from '@nats-io/transport-node';
import { natsOptions } from '../scripts/lib/stack.mjs';
import { rawFanOut } from './lib/fan-out.mjs';
import { call, pool, startBenchStack, TOKEN, waitTask } from './lib/services.mjs';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 2000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const VALUE_BYTES = Number(process.env.BENCH_VALUE_BYTES ?? 16 * 1024);
const SAMPLE = Math.min(HOSTS, 20);
const NS = 'bench.fw';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const verdict = (ok) => (ok ? 'PASS' : 'MISS');

/** A JSON value whose text is `bytes` long, with numbers a parser would round (they must arrive as written). */
function valueText(bytes, round) {
  const head = `{"round":${round},"big":12345678901234567890123,"tiny":1e-400,"rules":"`;
  const tail = '"}';
  return head + 'r'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

async function put(cm, switchId, key, text) {
  const res = await fetch(`${cm.url}/opaque-data/switch/${switchId}/${NS}/${key}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-extension-key': 'bench.ext' },
    body: `{"value":${text}}`,
  });
  if (res.status !== 200) throw new Error(`PUT opaque data: ${res.status} ${(await res.text()).slice(0, 300)}`);
}

export default async function opaqueBench() {
  const stack = await startBenchStack();
  try {
    console.log(`opaque: a ${VALUE_BYTES}-byte value on a switch of ${HOSTS} hosts, ${ROUNDS} rounds`);
    const cm = await stack.startService('compute-manager', { TASK_TIMEOUT_MS: '600000' });
    const ha = await stack.startService('host-agent', { HOSTS: String(HOSTS) });
    const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i + 1}`);
    while ((await call(cm.url, 'GET', '/hosts')).length < HOSTS) await sleep(200);
    const sw = await call(cm.url, 'POST', '/switches', { name: 'bench-dvs', hostIds });
    await waitTask(cm, sw.taskId);
    await call(cm.url, 'POST', '/extensions', { key: 'bench.ext', namespaces: [NS] });
    // A module on a sample of hosts, to read what a module sees once the value arrived.
    const sample = hostIds.filter((_, i) => i % Math.ceil(HOSTS / SAMPLE) === 0);
    await pool(sample, 8, (hostId) => call(ha.url, 'POST', `/hosts/${hostId}/modules`, { namespace: NS }));

    const nc = await connect(await natsOptions(stack.nats));
    const results = [];
    let lastText = '';
    for (let round = 0; round < ROUNDS; round++) {
      const text = valueText(VALUE_BYTES, round);
      lastText = text;
      const before = (await call(cm.url, 'GET', `/switches/${sw.id}`)).revision;
      const applied = new Set();
      let lastAt = 0;
      let t0 = 0;
      const sub = nc.subscribe('cm.status.*', {
        callback: (_e, msg) => {
          const s = msg.json();
          if (
            s.kind === 'switch' &&
            s.targetId === sw.id &&
            s.state === 'applied' &&
            s.revision > before &&
            !applied.has(s.hostId)
          ) {
            applied.add(s.hostId);
            if (applied.size === HOSTS) lastAt = performance.now();
          }
        },
      });
      await nc.flush();
      t0 = performance.now();
      await put(cm, sw.id, 'rules', text);
      while (!lastAt && performance.now() - t0 < 60000) await sleep(5);
      sub.unsubscribe();
      if (!lastAt) {
        console.log(`  round ${round + 1}: only ${applied.size} of ${HOSTS} hosts applied it within 60 s`);
        results.push(Infinity);
        continue;
      }
      results.push(lastAt - t0);
      console.log(`  round ${round + 1}: PUT → last host applied (durable) ${Math.round(lastAt - t0)} ms`);
    }
    // What the sampled modules see: the value, byte for byte.
    let exact = 0;
    for (const hostId of sample) {
      const res = await fetch(`${ha.url}/hosts/${hostId}/modules/${NS}/data`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if ((await res.text()).includes(`"value":${lastText}`)) exact++;
    }
    const median = [...results].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
    const desired = JSON.stringify({
      ...(await call(cm.url, 'GET', `/switches/${sw.id}`)),
      opaque: [{ entity: { type: 'switch', id: sw.id }, namespace: NS, key: 'rules', valueJson: lastText }],
    });
    const baseline = await rawFanOut(stack.nats, { subscribers: HOSTS, payloads: [desired], rounds: 5 });
    const rss = ha.peakRssMiB();
    console.log('');
    console.log(`  PUT → every host holds the value: ${Math.round(median)} ms (median of ${ROUNDS})`);
    console.log(
      `  baseline, raw NATS fan-out of the same ${desired.length} bytes to ${HOSTS} subscribers: ${baseline.toFixed(1)} ms`,
    );
    console.log(
      `  ratio ours / raw fan-out: ${(median / baseline).toFixed(2)}×  target ≤ 3×  ${verdict(median / baseline <= 3)}`,
    );
    console.log(
      `  sampled modules serving the value byte for byte: ${exact} of ${sample.length}  ${verdict(exact === sample.length)}`,
    );
    console.log(`  host agent peak RSS: ${Math.round(rss)} MiB  target ≤ 1024 MiB  ${verdict(rss <= 1024)}`);
    await nc.close();
  } finally {
    await stack.stop();
  }
}
