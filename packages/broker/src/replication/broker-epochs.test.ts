import { describe, expect, it } from 'vitest';
import { BrokerEpochs } from './broker-epochs.js';

describe('BrokerEpochs', () => {
  it('counts only the registered incarnation, numbering later registrations higher', () => {
    const epochs = new BrokerEpochs();
    expect(epochs.epochOf(2, 'first', 'first')).toBe(0);
    expect(epochs.epochOf(2, 'first', 'first')).toBe(0);
    // The broker restarted: a fetch from its previous life no longer counts.
    expect(epochs.epochOf(2, 'first', 'second')).toBeNull();
    expect(epochs.epochOf(2, 'second', 'second')).toBe(1);
    // A fetch from a registration the local metadata has not replayed yet waits for it.
    expect(epochs.epochOf(3, 'new', 'old')).toBeNull();
    expect(epochs.epochOf(3, 'new', undefined)).toBeNull();
  });

  it('names the incarnation behind the latest epoch only', () => {
    const epochs = new BrokerEpochs();
    epochs.epochOf(2, 'first', 'first');
    epochs.epochOf(2, 'second', 'second');
    expect(epochs.incarnationOf(2, 1)).toBe('second');
    expect(epochs.incarnationOf(2, 0)).toBeNull();
    expect(epochs.incarnationOf(9, 0)).toBeNull();
  });
});
