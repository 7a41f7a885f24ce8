import {
  isOpaqueKey,
  jsonTextBytes,
  OPAQUE_ENTITY_TYPES,
  OPAQUE_KEY_PATTERN,
  OPAQUE_VALUE_MAX_BYTES,
  type OpaqueEntityRef,
  type OpaqueEntityType,
  rawMembers,
  RawJsonError,
} from '@vnet/contracts';
import { InvalidInputError } from '@vnet/events';
import { ModuleValueTooLargeError } from './module.errors.js';

/** An entity id as the compute manager accepts it in module data (the schema of ModuleDataMessage). */
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const FIELDS = ['entity', 'key', 'value'];

/** What a module sends up, its value still the JSON text it came in. */
export interface ModuleDataBody {
  entity: OpaqueEntityRef;
  key: string;
  valueJson: string;
}

/**
 * The body of `POST /hosts/:hostId/modules/:namespace/data`, read from the request's own text so
 * that the value is kept exactly as sent: `{"entity": {"type", "id"}, "key", "value": <any JSON>}`
 * and nothing else. Throws InvalidInputError naming each offending field, ModuleValueTooLargeError
 * for a value over 64 KiB. Pure.
 */
export function moduleDataBodyOf(body: string | undefined): ModuleDataBody {
  if (body === undefined || body.trim() === '') throw new InvalidInputError(Object.fromEntries(FIELDS.map((f) => [f, 'is required'])));
  let members: Array<{ name: string; text: string }>;
  try {
    members = rawMembers(body);
  } catch (err) {
    if (err instanceof RawJsonError) throw new InvalidInputError({ body: 'must be a JSON object {"entity": {"type", "id"}, "key", "value"}' });
    throw err;
  }
  const errors: Record<string, string> = {};
  const texts = new Map<string, string>();
  for (const m of members) {
    if (!FIELDS.includes(m.name)) errors[m.name] = 'is not a field of this body';
    else if (texts.has(m.name)) errors[m.name] = 'is given more than once';
    else texts.set(m.name, m.text);
  }
  const entity = entityOf(texts.get('entity'), errors);
  const key = texts.has('key') ? (JSON.parse(texts.get('key')!) as unknown) : undefined;
  if (key === undefined) errors.key ??= 'is required';
  else if (typeof key !== 'string' || !isOpaqueKey(key)) errors.key ??= `must be a string matching ${OPAQUE_KEY_PATTERN.source}`;
  const valueJson = texts.get('value');
  if (valueJson === undefined) errors.value ??= 'is required';
  if (Object.keys(errors).length > 0) throw new InvalidInputError(errors);
  const bytes = jsonTextBytes(valueJson!);
  if (bytes > OPAQUE_VALUE_MAX_BYTES) throw new ModuleValueTooLargeError(bytes);
  return { entity: entity!, key: key as string, valueJson: valueJson! };
}

function entityOf(text: string | undefined, errors: Record<string, string>): OpaqueEntityRef | undefined {
  if (text === undefined) {
    errors.entity ??= 'is required';
    return undefined;
  }
  const value = JSON.parse(text) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.entity ??= 'must be an object {"type", "id"}';
    return undefined;
  }
  const { type, id, ...rest } = value as Record<string, unknown>;
  for (const name of Object.keys(rest)) errors[`entity.${name}`] = 'is not a field of entity';
  if (!OPAQUE_ENTITY_TYPES.includes(type as OpaqueEntityType)) errors['entity.type'] = `must be one of ${OPAQUE_ENTITY_TYPES.join(', ')}`;
  if (typeof id !== 'string' || !ENTITY_ID_PATTERN.test(id)) errors['entity.id'] = `must be a string matching ${ENTITY_ID_PATTERN.source}`;
  return { type: type as OpaqueEntityType, id: id as string };
}
