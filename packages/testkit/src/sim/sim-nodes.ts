/**
 * Crash and restart for simulated nodes. A node is whatever the caller builds from its
 * durable state; a crash forgets the object (and with it everything not yet persisted), a
 * restart builds a new one. Incarnations make callbacks scheduled by a dead incarnation
 * harmless: `guard` wraps them so they do nothing after a crash.
 */
import { assert } from '@rill/base';

export class SimNodes<N> {
  readonly #nodes = new Map<number, N | null>();
  readonly #incarnations = new Map<number, number>();

  constructor(
    readonly ids: readonly number[],
    readonly start: (id: number, incarnation: number) => N,
  ) {
    for (const id of ids) this.#incarnations.set(id, 0);
    for (const id of ids) this.#nodes.set(id, start(id, 0));
  }

  /** The live node, or undefined while it is down. */
  get(id: number): N | undefined {
    return this.#nodes.get(id) ?? undefined;
  }

  isUp(id: number): boolean {
    return this.get(id) !== undefined;
  }

  upIds(): number[] {
    return this.ids.filter((id) => this.isUp(id));
  }

  downIds(): number[] {
    return this.ids.filter((id) => !this.isUp(id));
  }

  incarnation(id: number): number {
    const incarnation = this.#incarnations.get(id);
    assert(incarnation !== undefined, `unknown node ${id}`);
    return incarnation;
  }

  crash(id: number): void {
    assert(this.isUp(id), `node ${id} is already down`);
    this.#nodes.set(id, null);
    this.#incarnations.set(id, this.incarnation(id) + 1);
  }

  restart(id: number): N {
    assert(!this.isUp(id), `node ${id} is up`);
    const node = this.start(id, this.incarnation(id));
    this.#nodes.set(id, node);
    return node;
  }

  /** `callback` bound to the node's current incarnation: a no-op once it has crashed. */
  guard(id: number, callback: (node: N) => void): () => void {
    const incarnation = this.incarnation(id);
    return () => {
      const node = this.get(id);
      if (node !== undefined && this.incarnation(id) === incarnation) callback(node);
    };
  }
}
