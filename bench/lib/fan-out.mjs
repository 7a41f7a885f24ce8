// The baseline of the fan-out benchmarks: what NATS alone costs to carry payloads to many hosts.
import { connect } from '@nats-io/transport-node';
import { natsOptions } from '../../scripts/lib/stack.mjs';

/**
 * `server` is one started by startNats (its admin credentials are used). Publishes `payloads` from one connection to `subscribers` core subscriptions of another (one per
 * simulated host, in one process, as the host agent has them), each parsing every message; answers
 * the median over `rounds` of the time until every subscriber parsed every payload.
 */
export async function rawFanOut(server, { subscribers, payloads, rounds = 1 }) {
  const pub = await connect(await natsOptions(server));
  const sub = await connect(await natsOptions(server));
  let remaining = 0;
  let done = () => {};
  for (let h = 0; h < subscribers; h++) {
    sub.subscribe('baseline.fan-out', {
      callback: (_err, msg) => {
        JSON.parse(msg.string());
        if (--remaining === 0) done();
      },
    });
  }
  await sub.flush();
  const times = [];
  for (let r = 0; r < rounds; r++) {
    remaining = subscribers * payloads.length;
    const finished = new Promise((resolve) => (done = resolve));
    const t0 = performance.now();
    for (const p of payloads) pub.publish('baseline.fan-out', p);
    await pub.flush();
    await finished;
    times.push(performance.now() - t0);
  }
  await Promise.all([pub.close(), sub.close()]);
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}
