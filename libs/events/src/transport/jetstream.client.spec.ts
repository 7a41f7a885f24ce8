import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import { natsOptions, startNats, type NatsServer } from '../../../../scripts/lib/stack.mjs';
import { CORRELATION_ID_HEADER, MSG_ID_HEADER } from './headers.js';
import { JetStreamClient } from './jetstream.client.js';
import { ensureStream } from './streams.js';

// Longer than Jest's 5 s default, since a test publishes to a real NATS (on a loaded machine too).
jest.setTimeout(20000);

let dir: string;
let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let client: JetStreamClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnet-client-'));
  nats = await startNats({ dir });
  nc = await connect(await natsOptions(nats));
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, { name: 'EVENTS', subjects: ['events.>'] });
  client = new JetStreamClient({ connection: async () => nc });
});

afterAll(async () => {
  client?.close();
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const envelope = (id: string) => ({
  id,
  type: 'HostReported',
  data: { hostId: 'host-1' },
  metadata: { correlationId: `corr-${id}`, causationId: null, actor: 'test' },
});

describe('JetStreamClient', () => {
  it('publishes an envelope once per id, with its correlation id in a header', async () => {
    const first = await lastValueFrom(client.emit<PubAck>('events.hosts.reported', envelope('e-1')));
    const again = await lastValueFrom(client.emit<PubAck>('events.hosts.reported', envelope('e-1')));

    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, seq: first.seq });
    const stored = await jsm.streams.getMessage('EVENTS', { seq: first.seq });
    expect(stored?.json()).toEqual(envelope('e-1'));
    expect(stored?.header.get(MSG_ID_HEADER)).toBe('e-1');
    expect(stored?.header.get(CORRELATION_ID_HEADER)).toBe('corr-e-1');
  });

  it('publishes plain data with explicit options', async () => {
    const ack = await client.publishEvent(
      'events.plain',
      { n: 1 },
      {
        msgId: 'plain-1',
        correlationId: 'corr-plain',
        headers: { 'vnet-event-type': 'Plain' },
      },
    );

    const stored = await jsm.streams.getMessage('EVENTS', { seq: ack.seq });
    expect(stored?.json()).toEqual({ n: 1 });
    expect(stored?.header.get(MSG_ID_HEADER)).toBe('plain-1');
    expect(stored?.header.get(CORRELATION_ID_HEADER)).toBe('corr-plain');
    expect(stored?.header.get('vnet-event-type')).toBe('Plain');
  });

  it('fails the emit when no stream stores the subject', async () => {
    await expect(lastValueFrom(client.emit('nowhere.at.all', { n: 1 }))).rejects.toThrow();
  });

  it('refuses wildcard subjects', async () => {
    await expect(client.publishEvent('events.*', { n: 1 })).rejects.toThrow(/not a literal NATS subject/);
  });

  it('does not do request/response', () => {
    expect(() => client.send('events.query', {})).toThrow(/request\/response is not supported/);
  });

  it('leaves the shared connection open when closed', async () => {
    const own = new JetStreamClient({ connection: async () => nc });
    await own.connect();
    own.close();

    expect(nc.isClosed()).toBe(false);
  });
});
