import { InvalidInputError } from '../errors/domain-error.js';
import { parseAsOf } from './as-of.js';

describe('parseAsOf: a position or an ISO time, anything else 400 naming asOf', () => {
  it('reads digits as a global position', () => {
    expect(parseAsOf('0')).toEqual({ position: 0 });
    expect(parseAsOf('12345')).toEqual({ position: 12345 });
  });

  it('reads an ISO time with its zone', () => {
    expect(parseAsOf('2025-03-01T10:20:30.123Z')).toEqual({ time: new Date('2025-03-01T10:20:30.123Z') });
    expect(parseAsOf('2025-03-01T12:20+02:00')).toEqual({ time: new Date('2025-03-01T10:20:00Z') });
  });

  it.each(['', '-1', '1.5', 'yesterday', '2025-03-01', '2025-03-01T10:20:30', '2025-13-45T99:99:99Z', '1234567890123456'])(
    'refuses %p',
    (value) => {
      let error: unknown;
      try {
        parseAsOf(value);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).fields).toEqual({ asOf: 'must be a log position or an ISO time' });
    },
  );
});
