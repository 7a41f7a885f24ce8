import { eventParser } from './event-stream-parser.js';
import { sseEvent } from './topology-event-stream.js';

describe('event stream parser', () => {
  const parse = (chunks: string[]) => {
    const events: Array<[string, unknown]> = [];
    const push = eventParser((event, data) => events.push([event, JSON.parse(data)]));
    for (const c of chunks) push(c);
    return events;
  };

  it('reads back what the manager frames, whatever the chunks', () => {
    const text = sseEvent('snapshot', { hosts: [{ id: 'h1' }] }) + ': keepalive\n\n' + sseEvent('change', { note: 'a\nb' });
    const expected = [
      ['snapshot', { hosts: [{ id: 'h1' }] }],
      ['change', { note: 'a\nb' }],
    ];
    expect(parse([text])).toEqual(expected);
    expect(parse(text.split(''))).toEqual(expected);
    expect(parse([text.slice(0, 17), text.slice(17, 40), text.slice(40)])).toEqual(expected);
  });

  it('waits for the blank line that ends an event, and takes CRLF line ends', () => {
    expect(parse(['event: change\ndata: {}\n'])).toEqual([]);
    expect(parse(['event: change\r\ndata: {"a":1}\r\n\r\n'])).toEqual([['change', { a: 1 }]]);
  });
});
