import { compareCursors, RelayLag } from './relay-lag.js';

const at = (transactionId: string, position: number) => ({ transactionId, position });

describe('RelayLag', () => {
  it('counts recorded events until the relay checkpoint passes them', () => {
    const lag = new RelayLag();
    lag.recorded([at('10', 1), at('10', 2)]);
    lag.recorded([at('11', 3)]);
    expect(lag.events).toBe(3);
    expect(lag.lastPublishedAtMs).toBeNull();

    lag.progressed(at('10', 2), 5000);
    expect(lag.events).toBe(1);
    expect(lag.lastPublishedAtMs).toBe(5000);

    lag.progressed(at('11', 3), 6000);
    expect(lag.events).toBe(0);
    expect(lag.lastPublishedAtMs).toBe(6000);
  });

  it('orders by transaction first: a lower position of a later transaction is still pending', () => {
    const lag = new RelayLag();
    lag.recorded([at('12', 7)]);
    lag.recorded([at('13', 5)]);
    lag.progressed(at('12', 7), 1);
    expect(lag.events).toBe(1);
  });

  it('compares transaction ids as numbers, not as text', () => {
    expect(compareCursors(at('9', 1), at('10', 1))).toBeLessThan(0);
    expect(compareCursors(at('18446744073709551610', 1), at('18446744073709551611', 0))).toBeLessThan(0);
  });

  it('ignores a checkpoint that goes backwards and events already behind the checkpoint', () => {
    const lag = new RelayLag();
    lag.progressed(at('20', 10), 100);
    lag.recorded([at('19', 4)]);
    expect(lag.events).toBe(0);
    lag.recorded([at('21', 11)]);
    lag.progressed(at('19', 4), 200);
    expect(lag.events).toBe(1);
    expect(lag.lastPublishedAtMs).toBe(100);
  });
});
