import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { natsOptions, startNats, type NatsServer } from '../../../../scripts/lib/stack.mjs';
import { DEFAULT_DUPLICATE_WINDOW_MS, ensureReplicas, ensureStream, withReplicas } from './streams.js';

// Longer than Jest's 5 s default, since a test creates streams on a real NATS (on a loaded machine too).
jest.setTimeout(20000);

let dir: string;
let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnet-streams-'));
  nats = await startNats({ dir });
  nc = await connect(await natsOptions(nats));
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ensureStream', () => {
  it('creates a file-backed stream with a 10-minute duplicate window', async () => {
    const info = await ensureStream(jsm, { name: 'CREATED', subjects: ['created.>'] });

    expect(info.config.storage).toBe(StorageType.File);
    expect(info.config.subjects).toEqual(['created.>']);
    expect(info.config.duplicate_window).toBe(nanos(DEFAULT_DUPLICATE_WINDOW_MS));
  });

  it('leaves an up-to-date stream and its messages alone', async () => {
    await ensureStream(jsm, { name: 'SAME', subjects: ['same.>'] });
    await jsm.jetstream().publish('same.a', 'kept');
    const first = await jsm.streams.info('SAME');

    const again = await ensureStream(jsm, { name: 'SAME', subjects: ['same.>'] });

    expect(again.created).toBe(first.created);
    expect(again.state.messages).toBe(1);
  });

  it('updates the subjects and duplicate window of an existing stream', async () => {
    await ensureStream(jsm, { name: 'GROWN', subjects: ['grown.a.>'] });

    const info = await ensureStream(jsm, { name: 'GROWN', subjects: ['grown.a.>', 'grown.b.>'], duplicateWindowMs: 60_000 });

    expect(info.config.subjects).toEqual(['grown.a.>', 'grown.b.>']);
    expect(info.config.duplicate_window).toBe(nanos(60_000));
    expect((await jsm.streams.info('GROWN')).config.subjects).toEqual(['grown.a.>', 'grown.b.>']);
  });

  it('is safe when several instances boot at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ensureStream(jsm, { name: 'RACED', subjects: ['raced.>'] })),
    );

    expect(new Set(results.map((r) => r.config.name))).toEqual(new Set(['RACED']));
    expect((await jsm.streams.info('RACED')).config.subjects).toEqual(['raced.>']);
  });

  it('creates one replica unless the spec says otherwise', async () => {
    const info = await ensureStream(jsm, { name: 'ONE', subjects: ['one.>'] });

    expect(info.config.num_replicas).toBe(1);
  });

  it('refuses more replicas than a single server has, with the server\'s reason', async () => {
    const [spec] = withReplicas([{ name: 'THREE', subjects: ['three.>'] }], 3);

    await expect(ensureStream(jsm, spec)).rejects.toThrow(/replicas/i);
  });
});

describe('ensureReplicas', () => {
  it('leaves a stream with the count alone, and a missing one missing', async () => {
    await ensureStream(jsm, { name: 'KEPT', subjects: ['kept.>'] });

    expect(await ensureReplicas(jsm, 'KEPT', 1)).toBe(false);
    expect(await ensureReplicas(jsm, 'NOT_THERE', 1)).toBe(false);
  });
});
