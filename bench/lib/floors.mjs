// The floors under a push, measured on the stack's own servers: what carrying the final state to every
// host, making each host's change durable and each host's management round trip cost with nothing else.
import { fork } from 'node:child_process';
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { createUser, encodeUser, fromSeed } from '@nats-io/jwt';
import { credsText } from '../../scripts/lib/nats-auth.mjs';
import { natsOptions } from '../../scripts/lib/stack.mjs';
import { HOST_AGENT_ENV, HOST_AGENT_NODE_ARGS } from '../../scripts/lib/host-agent-runtime.mjs';
import { decodeFrames } from '../../apps/host-agent/dist/store/journal-frame.js';

const FLOOR_PRINCIPAL = 'bench-floor';
const FLOOR_INBOX = `_INBOX_${FLOOR_PRINCIPAL}`;

/**
 * A user of the stack's account, signed as the services' users are, with a host agent's shape of
 * permissions: it publishes only acks, one subject per host, and subscribes only under its own
 * inbox prefix.
 */
async function floorCreds(server) {
  const signer = fromSeed(new TextEncoder().encode(readFileSync(join(server.auth.dir, 'service-signer.nk'), 'utf8').trim()));
  const user = createUser();
  const jwt = await encodeUser(FLOOR_PRINCIPAL, user, signer, {
    issuer_account: server.auth.account,
    pub: { allow: ['floor.ack.*'] },
    sub: { allow: [`${FLOOR_INBOX}.>`] },
  });
  return credsText(jwt, user);
}

/** The switch's final state exactly as the bucket the hosts watch holds it. */
export async function desiredBytes(server, switchId) {
  const nc = await connect(await natsOptions(server));
  try {
    const kv = await new Kvm(nc).open('vnet-switches');
    const entry = await kv.get(switchId);
    if (!entry?.value?.length) throw new Error(`no desired state of ${switchId} in vnet-switches`);
    return entry.value;
  } finally {
    await nc.close();
  }
}

/** A host store's journal: its length now, and the frames appended after `offset`. */
export const journalOf = (hostDir) => {
  const file = join(hostDir, 'journal.log');
  return {
    size: () => statSync(file).size,
    /** The records of each frame written since `offset`, or null when the journal was compacted meanwhile. */
    framesSince(offset) {
      const size = statSync(file).size;
      if (size < offset) return null;
      const buf = Buffer.alloc(size - offset);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buf, 0, buf.length, offset);
      } finally {
        closeSync(fd);
      }
      const frames = [];
      let at = 0;
      while (at < buf.length) {
        const one = decodeFrames(buf.subarray(at, nextFrameEnd(buf, at)));
        if (one.frames === 0) break;
        frames.push({ records: one.records, bytes: one.validLength });
        at += one.validLength;
      }
      return frames;
    },
  };
};

/** Where the frame starting at `at` ends (header `F <length> <crc>\n`, payload, `\n`). */
function nextFrameEnd(buf, at) {
  const eol = buf.indexOf(0x0a, at);
  const length = Number(/^F (\d+) /.exec(buf.toString('latin1', at, eol))?.[1] ?? 0);
  return eol + 1 + length + 1;
}

/**
 * Starts the floors' host side (bench/lib/floor-agent.mjs, a process started as the host agent is)
 * for `hostIds`, its stores under `dir`. Answers the three floors, each resolving to milliseconds:
 * - `transport(bytes)`: one publisher (the compute manager's user) publishes `bytes` once to one
 *   subscription of one connection (the bytes cross the socket once, as the host agent's one watch
 *   receives a final state once for all its hosts); the value is parsed once and handed to one
 *   handler per host, each of which publishes its ack (an applied status as ours sends it) on its own
 *   subject; until the publisher has every ack.
 * - `durable(records)`: every host's store writes `records` through the host agent's store and group
 *   commit; until the last store's batch is durable.
 * - `roundTrips()`: one management round trip per host as a push's proof makes them (a heartbeat,
 *   core request/reply to the compute manager, replies to one subscription), all at once; until the
 *   last reply is in.
 */
export async function startFloors(server, { hostIds, dir }) {
  const child = fork(new URL('./floor-agent.mjs', import.meta.url), [], {
    execArgv: [...HOST_AGENT_NODE_ARGS],
    env: { ...process.env, ...HOST_AGENT_ENV },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const pending = new Map();
  child.on('message', (msg) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`floor agent: ${msg.error}`));
    else p.resolve(msg);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`floor agent exited (${code})`));
    pending.clear();
  });
  const ask = (msg) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      child.send({ ...msg, id });
    });
  await ask({
    type: 'init',
    server: { url: server.url, auth: { creds: server.auth.creds } },
    floorCreds: await floorCreds(server),
    floorInbox: FLOOR_INBOX,
    dir,
    hostIds,
  });

  const pub = await connect(await natsOptions(server, 'compute-manager'));
  let acksLeft = 0;
  let acked = () => {};
  pub.subscribe('floor.ack.*', { callback: () => --acksLeft === 0 && acked() });
  await pub.flush();

  return {
    pid: child.pid,
    async transport(bytes) {
      await ask({ type: 'arm' });
      acksLeft = hostIds.length;
      const all = new Promise((resolve) => (acked = resolve));
      const t0 = performance.now();
      pub.publish(`${FLOOR_INBOX}.desired`, bytes);
      let timer;
      const timeout = new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${acksLeft} acks missing after 30 s`)), 30000)),
      );
      try {
        await Promise.race([all, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return performance.now() - t0;
    },
    durable: async (records) => (await ask({ type: 'durable', records })).ms,
    roundTrips: async () => (await ask({ type: 'round-trips', bootId: 'bench-floor' })).ms,
    async stop() {
      await pub.close().catch(() => undefined);
      if (child.exitCode === null) await ask({ type: 'stop' }).catch(() => child.kill('SIGKILL'));
    },
  };
}
