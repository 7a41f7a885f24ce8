import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describeValidationErrors } from '../http/validation.js';
import { InvalidMessageError } from '../transport/index.js';

/**
 * Validates a message against its schema class at the messaging edge. A message that fails is
 * rejected whole (the transport terminates it as a dead letter), never half-applied. Unknown
 * fields are dropped, so that a newer sender does not break an older receiver.
 */
export function parseMessage<T extends object>(schema: new () => T, data: unknown): T {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InvalidMessageError(`${schema.name}: not an object`);
  }
  const message = plainToInstance(schema, data);
  const errors = validateSync(message, { whitelist: true, forbidNonWhitelisted: false });
  if (errors.length) throw new InvalidMessageError(`${schema.name}: ${describeValidationErrors(errors).join('; ')}`);
  return message;
}
