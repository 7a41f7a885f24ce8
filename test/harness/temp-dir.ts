import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh temporary directory for each test of the calling `describe`, removed after it. Call in the
 * `describe` body; the function returned gives the current test's directory.
 */
export function tempDirPerTest(prefix: string): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  return () => dir;
}
