import { jsonTextBytes, OPAQUE_VALUE_MAX_BYTES, rawMembers, RawJsonError } from '@vnet/contracts';
import { DomainError, InvalidInputError } from '@vnet/events';

/** A value whose JSON text is larger than the channel carries. */
export class OpaqueValueTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
  constructor(bytes: number) {
    super(`value: its JSON text is ${bytes} bytes; the limit is ${OPAQUE_VALUE_MAX_BYTES} bytes (64 KiB)`);
  }
}

/**
 * The raw JSON text of `value` in a `PUT /opaque-data/...` body, cut out of the body's own text so
 * that it is kept exactly as sent. The body is `{"value": <any JSON>}` and nothing else. Pure.
 */
export function opaqueValueOf(body: string | undefined): string {
  if (body === undefined || body.trim() === '') throw new InvalidInputError({ value: 'is required' });
  let members: Array<{ name: string; text: string }>;
  try {
    members = rawMembers(body);
  } catch (err) {
    if (err instanceof RawJsonError) throw new InvalidInputError({ body: 'must be a JSON object {"value": …}' });
    throw err;
  }
  const unknown = members.filter((m) => m.name !== 'value');
  if (unknown.length) throw new InvalidInputError(Object.fromEntries(unknown.map((m) => [m.name, 'is not a field of this body'])));
  if (members.length === 0) throw new InvalidInputError({ value: 'is required' });
  if (members.length > 1) throw new InvalidInputError({ value: 'is given more than once' });
  const text = members[0].text;
  const bytes = jsonTextBytes(text);
  if (bytes > OPAQUE_VALUE_MAX_BYTES) throw new OpaqueValueTooLargeError(bytes);
  return text;
}
