import { removeDir } from '../../scripts/lib/stack.mjs';

interface Servers {
  dir: string;
  nats: { stop(): Promise<void> };
  pg: { stop(): Promise<void> };
}

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__vnetServers as Servers | undefined;
  if (!servers) return;
  await Promise.all([servers.nats.stop(), servers.pg.stop()]);
  removeDir(servers.dir);
}
