/**
 * One change of a host store: a put or a delete of a key in a namespace. On disk each record is a
 * JSON array on its own line, `["put", ns, key, value]` or `["del", ns, key]`: readable with `cat`,
 * and cheap to build from a value already encoded (a construct is encoded once for every host).
 */
export type StoreRecord = { op: 'put'; ns: string; key: string; value: unknown } | { op: 'del'; ns: string; key: string };

export class InvalidRecordError extends Error {
  constructor(reason: string) {
    super(`invalid store record: ${reason}`);
    this.name = 'InvalidRecordError';
  }
}

/** Characters a JSON string holds as they are: a name made only of them is quoted without JSON.stringify. */
const PLAIN = /^[\w:.\-@/]*$/;

/** `text` as a JSON string. Namespaces and keys are nearly always plain (`switch:sw-1`, `42`). */
export const jsonString = (text: string): string => (PLAIN.test(text) ? `"${text}"` : JSON.stringify(text));

export const encodePut = (ns: string, key: string, valueJson: string): string =>
  `["put",${jsonString(ns)},${jsonString(key)},${valueJson}]`;

export const encodeDelete = (ns: string, key: string): string => `["del",${jsonString(ns)},${jsonString(key)}]`;

export function parseRecord(line: string): StoreRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new InvalidRecordError('not JSON');
  }
  return toRecord(parsed);
}

/**
 * The records of a frame's payload (one per line) in a single JSON.parse: a record is a JSON array
 * and JSON text holds no raw newline, so the lines joined by commas are a JSON array of records.
 */
export function parseRecords(payload: string): StoreRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(`[${payload.replaceAll('\n', ',')}]`);
  } catch {
    throw new InvalidRecordError('not JSON');
  }
  return (parsed as unknown[]).map(toRecord);
}

function toRecord(parsed: unknown): StoreRecord {
  if (!Array.isArray(parsed)) throw new InvalidRecordError('not an array');
  const [op, ns, key, value] = parsed as unknown[];
  if (typeof ns !== 'string' || ns === '' || typeof key !== 'string') throw new InvalidRecordError('namespace or key missing');
  if (op === 'put' && parsed.length === 4) return { op, ns, key, value };
  if (op === 'del' && parsed.length === 3) return { op, ns, key };
  throw new InvalidRecordError(`unknown operation ${JSON.stringify(op)}`);
}
