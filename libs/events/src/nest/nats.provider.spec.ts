import { jest } from '@jest/globals';
import type { FactoryProvider } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { startNats, type NatsServer } from '../../../../scripts/lib/stack.mjs';
import { natsClientProvider, type NatsClient } from './nats.provider.js';

jest.setTimeout(30000);

let dir: string;
let nats: NatsServer;
let proxy: Server;
let proxyPort: number;
const sockets = new Set<Socket>();
/** Connections still to be answered as a server answers a client too slow to authenticate. */
let refuse = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vnet-nats-provider-'));
  nats = await startNats({ dir });
  // Between the client and the server: passes bytes through, or plays the server's
  // "Authentication Timeout" (its INFO, then -ERR, then the connection closed).
  proxy = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (refuse > 0) {
      refuse--;
      client.write('INFO {"server_id":"proxy","version":"2.9.10","proto":1,"headers":true,"max_payload":1048576,"auth_required":true,"nonce":"bm9uY2U"}\r\n');
      client.end("-ERR 'Authentication Timeout'\r\n");
      return;
    }
    const upstream = tcpConnect(nats.port, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyPort = (proxy.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy?.close(r));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the process NATS connection', () => {
  it('reconnects after the server refused it for authentication timeouts several times in a row', async () => {
    const factory = (natsClientProvider as FactoryProvider<NatsClient>).useFactory;
    const client = (await factory(
      { NATS_URL: `nats://127.0.0.1:${proxyPort}`, NATS_CREDS: nats.auth.creds.admin, NATS_INBOX_PREFIX: '_INBOX' },
      'admin',
    )) as NatsClient;
    const nc: NatsConnection = await client.connected();
    try {
      await nc.flush();
      const statuses: string[] = [];
      void (async () => {
        for await (const s of nc.status()) statuses.push(s.type);
      })();
      // The connection drops; the next three attempts are refused as too slow to authenticate.
      refuse = 3;
      for (const s of [...sockets]) s.destroy();
      const t0 = Date.now();
      while (!statuses.includes('reconnect') && !nc.isClosed() && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 50));

      expect(refuse).toBe(0);
      expect(nc.isClosed()).toBe(false);
      expect(statuses).toContain('reconnect');
      await nc.flush();
    } finally {
      await nc.close();
    }
  });
});
