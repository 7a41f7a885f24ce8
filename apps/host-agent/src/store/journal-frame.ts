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

/** A record line: text, or bytes already encoded (and shared by every store that writes the same record). */
export type EncodedRecord = string | Uint8Array;

/** One frame in one buffer, records copied in once: no intermediate string of the whole batch. */
export function encodeFrame(lines: readonly EncodedRecord[]): Buffer {
  const parts = lines.map((l) => (typeof l === 'string' ? Buffer.from(l, 'utf8') : l));
  let payloadLength = Math.max(0, parts.length - 1);
  for (const p of parts) payloadLength += p.length;
  const headerRoom = 32;
  const frame = Buffer.allocUnsafe(headerRoom + payloadLength + 1);
  // The payload goes after the room for the header, then the header is written right before it.
  let at = headerRoom;
  parts.forEach((p, i) => {
    if (i > 0) frame[at++] = NEWLINE;
    frame.set(p, at);
    at += p.length;
  });
  frame[at] = NEWLINE;
  const payload = frame.subarray(headerRoom, headerRoom + payloadLength);
  const header = Buffer.from(`F ${payloadLength} ${crc32(payload).toString(16).padStart(8, '0')}\n`, 'latin1');
  const start = headerRoom - header.length;
  header.copy(frame, start);
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
