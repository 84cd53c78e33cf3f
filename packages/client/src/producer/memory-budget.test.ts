import { describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../errors.js';
import { MemoryBudget } from './memory-budget.js';

describe('MemoryBudget', () => {
  it('grants within capacity and makes the next caller wait, first come first served', async () => {
    const budget = new MemoryBudget(100);
    expect(budget.tryReserve(60)).toBe(true);
    const order: string[] = [];
    const a = budget.reserve(50, 10_000).then(() => order.push('a'));
    const b = budget.reserve(10, 10_000).then(() => order.push('b'));
    expect(budget.tryReserve(10)).toBe(false);
    expect(budget.exhausted).toBe(true);
    budget.release(60);
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(budget.usedBytes).toBe(60);
  });

  it('gives up after the timeout and leaves no waiter behind', async () => {
    const budget = new MemoryBudget(10);
    budget.tryReserve(10);
    await expect(budget.reserve(5, 20)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(budget.exhausted).toBe(false);
    budget.release(10);
    expect(budget.usedBytes).toBe(0);
  });
});
