import { crc32 } from 'node:zlib';
import { InvalidRecordError, parseRecords, type StoreRecord } from './store-record.js';

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
/** Room kept before a frame's payload for its header (`F <10 digits> <8 hex>\n` at most). */
const HEADER_ROOM = 32;

/** A record line: text, or bytes already encoded (and shared by every store that writes the same record). */
export type EncodedRecord = string | Uint8Array;

/**
 * One frame in one buffer, each record written into it once: text straight from the string, bytes
 * already encoded copied. No intermediate buffer per record, nor a string of the whole batch.
 */
export function encodeFrame(lines: readonly EncodedRecord[]): Buffer {
  const lengths = new Array<number>(lines.length);
  let payloadLength = Math.max(0, lines.length - 1);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    payloadLength += lengths[i] = typeof l === 'string' ? Buffer.byteLength(l, 'utf8') : l.length;
  }
  const frame = Buffer.allocUnsafe(HEADER_ROOM + payloadLength + 1);
  // The payload goes after the room for the header, then the header is written right before it.
  let at = HEADER_ROOM;
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) frame[at++] = NEWLINE;
    const l = lines[i];
    if (typeof l === 'string') frame.write(l, at, lengths[i], 'utf8');
    else frame.set(l, at);
    at += lengths[i];
  }
  frame[at] = NEWLINE;
  const payload = frame.subarray(HEADER_ROOM, HEADER_ROOM + payloadLength);
  const header = `F ${payloadLength} ${crc32(payload).toString(16).padStart(8, '0')}\n`;
  const start = HEADER_ROOM - header.length;
  frame.write(header, start, header.length, 'latin1');
  return frame.subarray(start, at + 1);
}

export interface DecodedFrames {
  records: StoreRecord[];
  frames: number;
  /** Bytes of whole, valid frames from the start: where the file is cut when it has a torn tail. */
  validLength: number;
  /** Bytes after the last valid frame (a torn write, or damage). */
  trailingBytes: number;
}

/** `parse` turns a frame's payload into its records (a replay cache may stand in for JSON.parse). */
export function decodeFrames(buf: Buffer, parse: (payload: string) => StoreRecord[] = parseRecords): DecodedFrames {
  const records: StoreRecord[] = [];
  let offset = 0;
  let frames = 0;
  while (offset < buf.length) {
    const frame = readFrame(buf, offset, parse);
    if (!frame) break;
    for (const record of frame.records) records.push(record);
    offset = frame.end;
    frames++;
  }
  return { records, frames, validLength: offset, trailingBytes: buf.length - offset };
}

function readFrame(
  buf: Buffer,
  offset: number,
  parse: (payload: string) => StoreRecord[],
): { records: StoreRecord[]; end: number } | null {
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
    return { records: parse(payload.toString('utf8')), end: end + 1 };
  } catch (err) {
    // A frame whose checksum matches but whose records do not parse was written wrong: not ours to guess.
    if (err instanceof InvalidRecordError) return null;
    throw err;
  }
}
