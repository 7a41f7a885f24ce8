import { decodeFrames, encodeFrame } from './journal-frame.js';
import { ReplayCache } from './replay-cache.js';
import { encodeDelete, encodePut, parseRecord } from './store-record.js';

const put = (key: string, value: unknown) => encodePut('constructs', key, JSON.stringify(value));

describe('journal records and frames', () => {
  it('encodes a put and a delete as JSON arrays and parses them back', () => {
    expect(parseRecord(encodePut('link', 'uplink', '{"allowedVlans":[1]}'))).toEqual({
      op: 'put',
      ns: 'link',
      key: 'uplink',
      value: { allowedVlans: [1] },
    });
    expect(parseRecord(encodeDelete('constructs', 'n"1'))).toEqual({ op: 'del', ns: 'constructs', key: 'n"1' });
    expect(() => parseRecord('["put","ns"]')).toThrow(/invalid store record/);
    expect(() => parseRecord('["drop","ns","k"]')).toThrow(/unknown operation/);
    expect(() => parseRecord('{"op":"put"}')).toThrow(/not an array/);
  });

  it('quotes plain and other namespaces and keys as JSON does', () => {
    for (const key of ['switch:sw-1', '42', 'a.b_c@d/e', 'n"1', 'back\\slash', 'é', 'line\nbreak', ''])
      expect(parseRecord(encodeDelete('ns', key))).toEqual({ op: 'del', ns: 'ns', key });
    expect(encodePut('compute', 'switch:sw-1', '1')).toBe(`["put",${JSON.stringify('compute')},${JSON.stringify('switch:sw-1')},1]`);
  });

  it('writes text and encoded records into one frame, multi-byte characters included', () => {
    const shared = Buffer.from(put('shared', { n: '€uro' }), 'utf8');
    const decoded = decodeFrames(encodeFrame([put('a', { n: 'é' }), shared, put('b', { n: '𝄞' }), shared]));
    expect(decoded.frames).toBe(1);
    expect(decoded.trailingBytes).toBe(0);
    expect(decoded.records.map((r) => [r.key, (r as { value: { n: string } }).value.n])).toEqual([
      ['a', 'é'],
      ['shared', '€uro'],
      ['b', '𝄞'],
      ['shared', '€uro'],
    ]);
  });

  it('reads back every record of whole frames, in order', () => {
    const buf = Buffer.concat([
      encodeFrame([put('a', { n: 1 }), put('b', { n: 'é' })]),
      encodeFrame([encodeDelete('constructs', 'a')]),
    ]);
    const decoded = decodeFrames(buf);
    expect(decoded.frames).toBe(2);
    expect(decoded.validLength).toBe(buf.length);
    expect(decoded.trailingBytes).toBe(0);
    expect(decoded.records.map((r) => [r.op, r.key])).toEqual([
      ['put', 'a'],
      ['put', 'b'],
      ['del', 'a'],
    ]);
    expect(decoded.records[1]).toMatchObject({ value: { n: 'é' } });
  });

  it('cuts a torn last frame wherever the write stopped, keeping every frame before it', () => {
    const first = encodeFrame([put('a', 1)]);
    const second = encodeFrame([put('b', 2), put('c', 3)]);
    for (let cut = 0; cut < second.length; cut++) {
      const decoded = decodeFrames(Buffer.concat([first, second.subarray(0, cut)]));
      expect(decoded.records.map((r) => r.key)).toEqual(['a']);
      expect(decoded.validLength).toBe(first.length);
      expect(decoded.trailingBytes).toBe(cut);
    }
  });

  it('rejects a frame whose payload does not match its checksum, and everything after it', () => {
    const first = encodeFrame([put('a', 1)]);
    const damaged = encodeFrame([put('b', 2)]);
    damaged[damaged.length - 3] ^= 0x01;
    const decoded = decodeFrames(Buffer.concat([first, damaged, encodeFrame([put('c', 3)])]));
    expect(decoded.records.map((r) => r.key)).toEqual(['a']);
    expect(decoded.validLength).toBe(first.length);
  });

  it('treats garbage as a torn tail, and an empty file as no records', () => {
    expect(decodeFrames(Buffer.alloc(0))).toEqual({ records: [], frames: 0, validLength: 0, trailingBytes: 0 });
    const garbage = Buffer.from('\0\0\0 not a frame');
    const decoded = decodeFrames(Buffer.concat([encodeFrame([put('a', 1)]), garbage]));
    expect(decoded.records).toHaveLength(1);
    expect(decoded.trailingBytes).toBe(garbage.length);
  });
});

describe('frames from shared record bytes', () => {
  it('writes byte records as they are, among text ones', () => {
    const shared = Buffer.from(put('a', { n: 1 }), 'utf8');
    const decoded = decodeFrames(encodeFrame([shared, encodeDelete('constructs', 'b'), shared]));
    expect(decoded.records.map((r) => [r.op, r.key])).toEqual([
      ['put', 'a'],
      ['del', 'b'],
      ['put', 'a'],
    ]);
    expect(decoded.trailingBytes).toBe(0);
  });
});

describe('replay cache', () => {
  it('parses a shared put record once for every store that holds it, and nothing else', () => {
    const cache = new ReplayCache((ns) => ns === 'constructs');
    const payload = [
      put('a', { n: 1 }),
      encodePut('link', 'uplink', '{"allowedVlans":[]}'),
      encodeDelete('constructs', 'z'),
    ].join('\n');
    const first = cache.parse(payload);
    const second = cache.parse(payload);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second.map((r) => r.op)).toEqual(['put', 'put', 'del']);
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
