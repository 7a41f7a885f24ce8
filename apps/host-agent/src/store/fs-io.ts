import { close, constants, fdatasync, fsync, ftruncate, open, write } from 'node:fs';
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

/**
 * Flags of a journal opened for appending whose every write is durable when it returns (O_DSYNC):
 * a group commit is then one call into the thread pool, not a write and an fdatasync, which halves
 * what the event loop hands over and waits for when thousands of stores commit at once. Where the
 * platform has no O_DSYNC, null: the caller writes and then calls `datasync`.
 */
export const DSYNC_APPEND: number | null =
  typeof constants.O_DSYNC === 'number' && constants.O_DSYNC !== 0
    ? constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC
    : null;
