import { crc32 } from 'node:zlib';
import { InvalidRecordError, parseRecord, type StoreRecord } from './store-record.js';

/**
 * The unit of a group commit: the records of one flush, written with one write and one fdatasync.
 *
 *   F <payload bytes> <crc32 of payload, 8 hex>\n<payload: records, one per line>\n
 *
 * A frame is all or nothing: a crash in the middle of a write leaves a torn last frame, which
 * recovery detects (short, or checksum mismatch) and cuts off. Its records were never acknowledged.
 */
const HEADER = /^F (\d{1,10}) ([0-9a-f]{8})$/;
const MAX_HEADER = 32;
const NEWLINE = 0x0a;

export function encodeFrame(lines: readonly string[]): Buffer {
  const payload = Buffer.from(lines.join('\n'), 'utf8');
  const header = `F ${payload.length} ${crc32(payload).toString(16).padStart(8, '0')}\n`;
  const frame = Buffer.allocUnsafe(Buffer.byteLength(header) + payload.length + 1);
  const at = frame.write(header, 0, 'latin1');
  payload.copy(frame, at);
  frame[frame.length - 1] = NEWLINE;
  return frame;
}

export interface DecodedFrames {
  records: StoreRecord[];
  frames: number;
  /** Bytes of whole, valid frames from the start: where the file is cut when it has a torn tail. */
  validLength: number;
  /** Bytes after the last valid frame (a torn write, or damage). */
  trailingBytes: number;
}

export function decodeFrames(buf: Buffer): DecodedFrames {
  const records: StoreRecord[] = [];
  let offset = 0;
  let frames = 0;
  while (offset < buf.length) {
    const frame = readFrame(buf, offset);
    if (!frame) break;
    records.push(...frame.records);
    offset = frame.end;
    frames++;
  }
  return { records, frames, validLength: offset, trailingBytes: buf.length - offset };
}

function readFrame(buf: Buffer, offset: number): { records: StoreRecord[]; end: number } | null {
  const eol = buf.indexOf(NEWLINE, offset);
  if (eol < 0 || eol - offset > MAX_HEADER) return null;
  const match = HEADER.exec(buf.toString('latin1', offset, eol));
  if (!match) return null;
  const length = Number(match[1]);
  const start = eol + 1;
  const end = start + length;
  if (end >= buf.length || buf[end] !== NEWLINE) return null;
  const payload = buf.subarray(start, end);
  if (crc32(payload) !== parseInt(match[2], 16)) return null;
  try {
    return { records: payload.toString('utf8').split('\n').map(parseRecord), end: end + 1 };
  } catch (err) {
    // A frame whose checksum matches but whose records do not parse was written wrong: not ours to guess.
    if (err instanceof InvalidRecordError) return null;
    throw err;
  }
}
