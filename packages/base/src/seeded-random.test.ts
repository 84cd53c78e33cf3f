import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('replays the same sequence from the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    for (let i = 0; i < 100; i++) expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('differs between seeds and stays in range', () => {
    const a = new SeededRandom(1);
    const b = new SeededRandom(2);
    expect(a.nextUint32()).not.toBe(b.nextUint32());
    for (let i = 0; i < 1000; i++) {
      const n = a.between(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
    }
  });
});
