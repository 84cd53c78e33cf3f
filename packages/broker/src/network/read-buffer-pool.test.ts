import { describe, expect, it } from 'vitest';
import { readBufferBytesMin } from '../limits.js';
import { ReadBufferPool } from './read-buffer-pool.js';

describe('ReadBufferPool', () => {
  it('hands a released buffer to the next lease of the same size class', () => {
    const pool = new ReadBufferPool(8 << 20);
    const first = pool.lease();
    const a = first.allocate(1_000_000);
    expect(a.length).toBe(1_000_000);
    first.release();
    expect(pool.idleBytes).toBe(1 << 20);
    const b = pool.lease().allocate(700_000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.idleBytes).toBe(0);
  });

  it('never hands out a buffer a lease still holds', () => {
    const pool = new ReadBufferPool(8 << 20);
    const held = pool.lease().allocate(200_000);
    const other = pool.lease().allocate(200_000);
    expect(other.buffer).not.toBe(held.buffer);
  });

  it('keeps reads below the smallest class out of the pool', () => {
    const pool = new ReadBufferPool(8 << 20);
    const lease = pool.lease();
    lease.allocate(readBufferBytesMin - 1);
    lease.release();
    expect(pool.idleBytes).toBe(0);
  });

  it('keeps at most its idle cap and leaves the rest to the garbage collector', () => {
    const pool = new ReadBufferPool(3 << 20);
    const lease = pool.lease();
    for (let i = 0; i < 5; i++) lease.allocate(1 << 20);
    lease.release();
    expect(pool.idleBytes).toBe(3 << 20);
    lease.release();
    expect(pool.idleBytes).toBe(3 << 20);
  });
});
