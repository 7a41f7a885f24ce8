import { isJsonText, jsonTextBytes, RawJson, RawJsonError, rawMembers, stringifyWithRaw } from './raw-json.js';

describe('raw JSON text', () => {
  it("cuts each member's value out of the text exactly as written", () => {
    const text = '{ "value" : {"b":1,"a":12345678901234567890123, "z": 1e-400 , "f":1.0,"a":2} , "x":"\\u00e9😀" }';
    expect(rawMembers(text)).toEqual([
      { name: 'value', text: '{"b":1,"a":12345678901234567890123, "z": 1e-400 , "f":1.0,"a":2}' },
      { name: 'x', text: '"\\u00e9😀"' },
    ]);
    expect(rawMembers('{"value":null,"value":[]}')).toEqual([
      { name: 'value', text: 'null' },
      { name: 'value', text: '[]' },
    ]);
    expect(rawMembers('{}')).toEqual([]);
  });

  it('refuses what is not a JSON object', () => {
    expect(() => rawMembers('[1]')).toThrow(RawJsonError);
    expect(() => rawMembers('{"a":1,}')).toThrow(RawJsonError);
    expect(() => rawMembers('{"a":1} // comment')).toThrow(RawJsonError);
    expect(isJsonText('1e-400')).toBe(true);
    expect(isJsonText(' "x" ')).toBe(true);
    expect(isJsonText('{nope')).toBe(false);
    expect(isJsonText('')).toBe(false);
    expect(isJsonText('NaN')).toBe(false);
  });

  it('splices raw texts back unchanged, and writes everything else as JSON.stringify does', () => {
    const value = {
      a: 1,
      raw: new RawJson('{"n":12345678901234567890123,"f":1.0}'),
      list: [new RawJson('1e-400'), 'x', undefined],
      skip: undefined,
      s: 'é"',
    };
    expect(stringifyWithRaw(value)).toBe(
      '{"a":1,"raw":{"n":12345678901234567890123,"f":1.0},"list":[1e-400,"x",null],"s":"é\\""}',
    );
    expect(stringifyWithRaw([{ at: new Date('2026-01-01T00:00:00Z') }])).toBe('[{"at":"2026-01-01T00:00:00.000Z"}]');
    expect(jsonTextBytes('"é"')).toBe(4);
  });
});
