/**
 * Deadlines by key, for a core that is told the time rather than reading it: scheduling a
 * key again replaces its deadline, and `due(nowMs)` hands back the keys whose deadline has
 * passed, earliest first. A binary heap with lazy deletion keeps each step O(log n) for a
 * coordinator with many members.
 */
interface Entry<T> {
  readonly deadlineMs: number;
  readonly id: string;
  readonly value: T;
  readonly sequence: number;
}

export class TimerQueue<T> {
  readonly #live = new Map<string, Entry<T>>();
  #heap: Entry<T>[] = [];
  #sequence = 0;

  get size(): number {
    return this.#live.size;
  }

  schedule(id: string, deadlineMs: number, value: T): void {
    const entry = { deadlineMs, id, value, sequence: this.#sequence++ };
    this.#live.set(id, entry);
    this.#push(entry);
    if (this.#heap.length > 2 * this.#live.size + 64) this.#compact();
  }

  cancel(id: string): void {
    this.#live.delete(id);
  }

  has(id: string): boolean {
    return this.#live.has(id);
  }

  /** The earliest live deadline, or Infinity. */
  nextDeadlineMs(): number {
    this.#dropStale();
    return this.#heap[0]?.deadlineMs ?? Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the earliest entry due at `nowMs`, or null. */
  popDue(nowMs: number): { id: string; value: T } | null {
    this.#dropStale();
    const top = this.#heap[0];
    if (top === undefined || top.deadlineMs > nowMs) return null;
    this.#pop();
    this.#live.delete(top.id);
    return { id: top.id, value: top.value };
  }

  #isLive(entry: Entry<T>): boolean {
    return this.#live.get(entry.id) === entry;
  }

  #dropStale(): void {
    while (this.#heap.length > 0 && !this.#isLive(this.#heap[0]!)) this.#pop();
  }

  #compact(): void {
    this.#heap = [...this.#live.values()].sort(compare);
  }

  #push(entry: Entry<T>): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent]!, heap[i]!) <= 0) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && compare(heap[left]!, heap[smallest]!) < 0) smallest = left;
      if (right < heap.length && compare(heap[right]!, heap[smallest]!) < 0) smallest = right;
      if (smallest === i) return;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
  }
}

function compare<T>(a: Entry<T>, b: Entry<T>): number {
  return a.deadlineMs - b.deadlineMs || a.sequence - b.sequence;
}
