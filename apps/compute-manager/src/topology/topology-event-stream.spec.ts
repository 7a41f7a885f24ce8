import { EventEmitter } from 'node:events';
import { sseEvent, TopologyEventStream } from './topology-event-stream.js';
import { emptyTopology, type TopologyChange, toSnapshot } from './topology.js';

/** A response whose socket buffer is full whenever the test says so. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  full = false;
  status = 0;
  ended = false;
  writeHead(status: number) {
    this.status = status;
  }
  write(chunk: string) {
    this.written.push(chunk);
    return !this.full;
  }
  end() {
    this.ended = true;
  }
}

const hostChange = (id: string, state: 'connected' | 'disconnected'): TopologyChange => ({
  upserted: { hosts: [{ id, connectionState: state, logicalNetworks: [], switchIds: [] }] },
  removed: {},
  activity: [],
});

function setup() {
  const req = new EventEmitter();
  const res = new FakeResponse();
  let listener: (c: TopologyChange) => void = () => {};
  let unsubscribed = 0;
  const feed = {
    subscribe: async (l: (c: TopologyChange) => void) => {
      listener = l;
      return { snapshot: toSnapshot(emptyTopology()), unsubscribe: () => void unsubscribed++ };
    },
  };
  return { req, res, feed, send: (c: TopologyChange) => listener(c), unsubscribed: () => unsubscribed };
}

describe('topology event stream', () => {
  it('writes the snapshot first, then each change as an event', async () => {
    const { req, res, feed, send } = setup();
    await new TopologyEventStream(req, res).run(feed);
    send(hostChange('h1', 'disconnected'));
    expect(res.status).toBe(200);
    expect(res.written).toEqual([sseEvent('snapshot', toSnapshot(emptyTopology())), sseEvent('change', hostChange('h1', 'disconnected'))]);
    expect(res.written[0]).toMatch(/^event: snapshot\ndata: \{.*\}\n\n$/);
    req.emit('close');
  });

  it('merges the changes a slow reader missed into one once its buffer drains', async () => {
    const { req, res, feed, send } = setup();
    await new TopologyEventStream(req, res).run(feed);
    res.full = true;
    send(hostChange('h1', 'disconnected'));
    send(hostChange('h2', 'disconnected'));
    send(hostChange('h1', 'connected'));
    expect(res.written).toHaveLength(2);
    res.full = false;
    res.emit('drain');
    expect(res.written).toHaveLength(3);
    const merged = JSON.parse(res.written[2].split('data: ')[1]) as TopologyChange;
    // The first change was taken (the buffer filled with it); the two after it are one event, h1 as it is last.
    expect(merged.upserted.hosts).toEqual([
      { id: 'h2', connectionState: 'disconnected', logicalNetworks: [], switchIds: [] },
      { id: 'h1', connectionState: 'connected', logicalNetworks: [], switchIds: [] },
    ]);
    req.emit('close');
  });

  it('unsubscribes when the client goes away', async () => {
    const { req, res, feed, unsubscribed } = setup();
    await new TopologyEventStream(req, res).run(feed);
    req.emit('close');
    expect(unsubscribed()).toBe(1);
    expect(res.ended).toBe(true);
  });
});
