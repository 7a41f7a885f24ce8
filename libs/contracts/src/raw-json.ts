import { parse, type ValueNode } from '@humanwhocodes/momoa';

/**
 * Raw JSON text: opaque values are never parsed into JavaScript values (which would round
 * 12345678901234567890123, turn 1e-400 into 0 and 1.0 into 1, and lose key order of duplicates), but
 * cut out of the text they came in and spliced back into the text they leave in.
 */

/** JSON text that `stringifyWithRaw` writes as it is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** The text is not JSON, or not a JSON object where one is needed. */
export class RawJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawJsonError';
  }
}

/** The UTF-8 size of a JSON text (what OPAQUE_VALUE_MAX_BYTES limits). */
export const jsonTextBytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function parseText(text: string): ValueNode {
  try {
    return parse(text, { mode: 'json' }).body;
  } catch (err) {
    throw new RawJsonError(`not JSON: ${(err as Error).message}`);
  }
}

/** Whether `text` is one JSON value (strict JSON: no comments, no trailing commas). */
export function isJsonText(text: string): boolean {
  try {
    parseText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The members of the JSON object `text`, in order, each with its value's exact text (a name given
 * twice appears twice). Throws RawJsonError when `text` is not a JSON object.
 */
export function rawMembers(text: string): Array<{ name: string; text: string }> {
  const root = parseText(text);
  if (root.type !== 'Object') throw new RawJsonError('not a JSON object');
  return root.members.map((m) => ({
    name: m.name.type === 'String' ? m.name.value : m.name.name,
    text: text.slice(m.value.loc.start.offset, m.value.loc.end.offset),
  }));
}

/** JSON.stringify, but a RawJson anywhere in `value` is written as its text, unchanged. */
export function stringifyWithRaw(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stringifyWithRaw(v))).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringifyWithRaw(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
