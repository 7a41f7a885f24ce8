import { InvalidInputError } from '@vnet/events';
import { moduleDataBodyOf } from './module-data.body.js';
import { ModuleValueTooLargeError } from './module.errors.js';

const fields = (body: string | undefined): Record<string, string> => {
  try {
    moduleDataBodyOf(body);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.fields;
    throw err;
  }
  throw new Error('accepted');
};

describe('the body a module sends data up with', () => {
  it('keeps the value as the text it came in', () => {
    const value = '{"rx":12345678901234567890123,"tx":1.0,"e":1e-400,"u":"\\u00e9 😀"}';
    expect(moduleDataBodyOf(`{"entity":{"type":"port","id":"p-1"},"key":"counters","value":${value}}`)).toEqual({
      entity: { type: 'port', id: 'p-1' },
      key: 'counters',
      valueJson: value,
    });
    expect(moduleDataBodyOf('{"value" : [ 1 ,\n 2 ], "key":"k", "entity":{"id":"h","type":"host"}}').valueJson).toBe('[ 1 ,\n 2 ]');
    expect(moduleDataBodyOf('{"entity":{"type":"host","id":"h"},"key":"k","value":null}').valueJson).toBe('null');
  });

  it('names every offending field', () => {
    expect(fields(undefined)).toEqual({ entity: 'is required', key: 'is required', value: 'is required' });
    expect(fields('[1]')).toHaveProperty('body');
    expect(fields('{"entity":{"type":"vm","id":"a b"},"key":"-k","value":1,"other":2}')).toEqual({
      other: 'is not a field of this body',
      'entity.type': expect.stringMatching(/switch, port-group, port, host/),
      'entity.id': expect.stringMatching(/must be a string/),
      key: expect.stringMatching(/must be a string matching/),
    });
    expect(fields('{"entity":"host-1","key":"k"}')).toEqual({ entity: expect.stringMatching(/object/), value: 'is required' });
    expect(fields('{"entity":{"type":"host","id":"h","x":1},"key":"k","value":1,"value":2}')).toEqual({
      'entity.x': 'is not a field of entity',
      value: 'is given more than once',
    });
    expect(fields('{"entity":{"type":"host","id":"h"},"key":7,"value":1}')).toHaveProperty('key');
  });

  it('takes a value of 64 KiB and refuses one byte more', () => {
    const body = (v: string) => `{"entity":{"type":"host","id":"h"},"key":"k","value":${v}}`;
    const fits = `"${'a'.repeat(65534)}"`;
    expect(moduleDataBodyOf(body(fits)).valueJson).toBe(fits);
    expect(() => moduleDataBodyOf(body(`"${'a'.repeat(65535)}"`))).toThrow(ModuleValueTooLargeError);
  });
});
