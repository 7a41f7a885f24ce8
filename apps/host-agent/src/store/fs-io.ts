import { close, fdatasync, fsync, ftruncate, open, write } from 'node:fs';
import { promisify } from 'node:util';

// Plain descriptors rather than FileHandle objects: thousands of stores flushing many times a second
// make the per-handle bookkeeping show.
export const openFd = promisify(open);
export const closeFd = promisify(close);
const writeFd = promisify(write);
export const datasync = promisify(fdatasync);
export const sync = promisify(fsync);
export const truncate = promisify(ftruncate);

/** Opens `path`, runs `use` on the descriptor, and always closes it. */
export async function withFd<T>(path: string, flags: string, use: (fd: number) => Promise<T>): Promise<T> {
  const fd = await openFd(path, flags);
  try {
    return await use(fd);
  } finally {
    await closeFd(fd);
  }
}

/** Writes all of `buf` (a write may take less than it was given). */
export async function writeAll(fd: number, buf: Uint8Array): Promise<void> {
  for (let offset = 0; offset < buf.length;) {
    const { bytesWritten } = await writeFd(fd, buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}

/** Makes a created or renamed entry of `dir` durable. */
export function syncDir(dir: string): Promise<void> {
  return withFd(dir, 'r', (fd) => sync(fd));
}
