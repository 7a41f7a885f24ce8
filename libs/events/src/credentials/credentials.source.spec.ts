import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsFileError } from './credentials-file.js';
import { CredentialsSource } from './credentials.source.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!probe()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
}

describe('CredentialsSource', () => {
  let dir: string;
  let file: string;
  const errors: Array<Record<string, unknown>> = [];
  const log = { log: () => undefined, error: (f: Record<string, unknown>) => void errors.push(f) };
  const write = (entries: unknown) => writeFileSync(file, typeof entries === 'string' ? entries : JSON.stringify(entries));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vnet-credentials-'));
    file = join(dir, 'tokens.json');
    errors.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('knows ADMIN_TOKEN as admin and each named token under its name; nothing else', () => {
    write([{ name: 'alice', token: 'alice-token-1', role: 'viewer' }]);
    const source = new CredentialsSource({ adminToken: 'the-admin-token', file, required: true, log });
    expect(source.resolve('the-admin-token')).toEqual({ name: 'admin', role: 'admin' });
    expect(source.resolve('alice-token-1')).toEqual({ name: 'alice', role: 'viewer' });
    expect(source.resolve('alice-token-')).toBeNull();
    expect(source.resolve('')).toBeNull();
  });

  it('refuses to start on a bad file, or on a named file that is missing; the default file may be absent', () => {
    write([{ name: 'alice', token: 'alice-token-1', role: 'root' }]);
    expect(() => new CredentialsSource({ adminToken: 'the-admin-token', file, required: false, log })).toThrow(
      CredentialsFileError,
    );
    const missing = join(dir, 'none.json');
    expect(() => new CredentialsSource({ adminToken: 'the-admin-token', file: missing, required: true, log })).toThrow(
      `ADMIN_TOKENS_FILE ${missing}: no such file`,
    );
    expect(new CredentialsSource({ adminToken: 'the-admin-token', file: missing, required: false, log }).size).toBe(0);
  });

  it('follows the file: a new entry works, a broken edit keeps the last good set, a removed file revokes', async () => {
    write([{ name: 'alice', token: 'alice-token-1', role: 'admin' }]);
    const source = new CredentialsSource({ adminToken: 'the-admin-token', file, required: true, log, pollMs: 20, settleMs: 10 });
    source.start();
    try {
      await sleep(50);
      write([
        { name: 'alice', token: 'alice-token-1', role: 'admin' },
        { name: 'bob', token: 'bob-token-22', role: 'viewer' },
      ]);
      await until(() => source.resolve('bob-token-22') !== null);
      write('[{"name": "carol"');
      await until(() => errors.length > 0);
      expect(String(errors[0].error)).toMatch(/not JSON/);
      expect(source.resolve('bob-token-22')).toEqual({ name: 'bob', role: 'viewer' });
      rmSync(file);
      await until(() => source.resolve('alice-token-1') === null);
      expect(source.resolve('the-admin-token')).toEqual({ name: 'admin', role: 'admin' });
    } finally {
      source.stop();
    }
  });
});
