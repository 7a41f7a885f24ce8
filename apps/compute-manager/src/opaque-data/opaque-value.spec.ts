import { InvalidInputError } from '@vnet/events';
import { opaqueValueOf, OpaqueValueTooLargeError } from './opaque-value.js';

const fields = (body: string | undefined) => {
  try {
    opaqueValueOf(body);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as InvalidInputError).fields;
  }
  throw new Error('body accepted');
};

describe('the value of a PUT /opaque-data body', () => {
  it('is the raw text of `value`, whatever JSON it is', () => {
    expect(opaqueValueOf('{"value":12345678901234567890123}')).toBe('12345678901234567890123');
    expect(opaqueValueOf('{ "value" :\n{"b": 1.0, "a": 1e-400} }')).toBe('{"b": 1.0, "a": 1e-400}');
    expect(opaqueValueOf('{"value":null}')).toBe('null');
    expect(opaqueValueOf('{"value":"\\u00e9"}')).toBe('"\\u00e9"');
  });

  it('names what is wrong with a body that is not {"value": …}', () => {
    expect(fields(undefined)).toEqual({ value: 'is required' });
    expect(fields('{}')).toEqual({ value: 'is required' });
    expect(fields('{"value":1,"other":2}')).toEqual({ other: 'is not a field of this body' });
    expect(fields('{"value":1,"value":2}')).toEqual({ value: 'is given more than once' });
    expect(fields('[1]')).toEqual({ body: 'must be a JSON object {"value": …}' });
  });

  it('takes 64 KiB of JSON text and refuses one byte more', () => {
    const fits = `"${'a'.repeat(65534)}"`;
    expect(opaqueValueOf(`{"value":${fits}}`)).toBe(fits);
    // Bytes, not characters: é is two bytes in UTF-8.
    expect(() => opaqueValueOf(`{"value":"${'é'.repeat(32767)}"}`)).not.toThrow();
    expect(() => opaqueValueOf(`{"value":"${'é'.repeat(32767)}a"}`)).toThrow(OpaqueValueTooLargeError);
    expect(() => opaqueValueOf(`{"value":"${'a'.repeat(65535)}"}`)).toThrow(/65536/);
  });
});
