/**
 * A binary min-heap ordered by (time, sequence): events at the same time run in the order
 * they were scheduled, so a run depends only on its seed.
 */
export interface Scheduled<T> {
  readonly time: number;
  readonly sequence: number;
  readonly value: T;
}

export class PriorityQueue<T> {
  readonly #heap: Scheduled<T>[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): Scheduled<T> | undefined {
    return this.#heap[0];
  }

  push(item: Scheduled<T>): void {
    const heap = this.#heap;
    heap.push(item);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  pop(): Scheduled<T> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return top;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}

function before<T>(a: Scheduled<T>, b: Scheduled<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
}
