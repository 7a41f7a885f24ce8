import type { ModuleData } from '@vnet/contracts';
import { join } from 'node:path';
import { HostStore } from '../store/host-store.js';
import { tempDirPerTest } from '../../../../test/harness/temp-dir.js';
import { ModuleOutbox } from './module-outbox.js';
import { ModuleOutboxFullError } from './module.errors.js';

const message = (id: string): ModuleData => ({
  id,
  hostId: 'host-1',
  namespace: 'acme.fw',
  entity: { type: 'host', id: 'host-1' },
  key: 'k',
  valueJson: '12345678901234567890123',
  sentAt: '2025-01-01T00:00:00.000Z',
});

/** On a real store: what is kept survives a reopen, oldest first, until it is delivered. */
describe('module data outbox', () => {
  const root = tempDirPerTest('outbox');
  const open = async () => (await HostStore.open(join(root(), 'host-1'))).store;

  it('keeps messages in order across a reopen and drops each once delivered', async () => {
    const store = await open();
    const outbox = new ModuleOutbox(store);
    for (const id of ['m1', 'm2', 'm3']) outbox.add({ message: message(id), correlationId: `c-${id}` });
    await store.flush();
    const again = new ModuleOutbox(await open());
    expect(again.size).toBe(3);
    expect(again.next()).toEqual({ message: message('m1'), correlationId: 'c-m1' });
    again.delivered('m1');
    expect(again.next()?.message.id).toBe('m2');
    again.delivered('m2');
    again.delivered('m3');
    expect(again.next()).toBeUndefined();
    expect(again.size).toBe(0);
  });

  it('does not lose a message whose delivery was not written: it is sent again with the same id', async () => {
    const store = await open();
    const outbox = new ModuleOutbox(store);
    outbox.add({ message: message('m1'), correlationId: 'c' });
    await store.flush();
    outbox.delivered('m1'); // not flushed: a crash now
    const back = new ModuleOutbox(await open());
    expect(back.next()?.message).toEqual(message('m1'));
  });

  it('refuses a message once full, and takes one again after a delivery', async () => {
    const outbox = new ModuleOutbox(await open(), 2);
    outbox.add({ message: message('m1'), correlationId: 'c' });
    outbox.add({ message: message('m2'), correlationId: 'c' });
    expect(() => outbox.add({ message: message('m3'), correlationId: 'c' })).toThrow(ModuleOutboxFullError);
    outbox.delivered('m1');
    outbox.add({ message: message('m3'), correlationId: 'c' });
    expect(outbox.size).toBe(2);
  });
});
