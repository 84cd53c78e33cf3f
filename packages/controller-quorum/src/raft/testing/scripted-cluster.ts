/**
 * A hand-driven cluster for scenario tests: nothing happens unless the script says so. Timers
 * are not random (the Random always answers its minimum), messages wait in a queue until the
 * script delivers or drops them, and every step's effects are written to a transcript that
 * the tests compare with a golden file (etcd's interaction tests, in our own form).
 */
import type { Random } from '@rill/base';
import { RaftCore } from '../core.js';
import type { RaftMessage } from '../messages.js';
import type { Entry, RaftEffects, RaftOptions } from '../types.js';
import { SimStore } from './sim-store.js';

export const minimumRandom: Random = { next: () => 0, between: (min) => min };

export const scriptedOptions: Omit<RaftOptions, 'nodeId' | 'voters'> = {
  electionTimeoutTicks: 10,
  fetchTimeoutTicks: 20,
  electionBackoffMaxTicks: 5,
  requestTimeoutTicks: 10,
  fetchBackoffTicks: 1,
  fetchMaxWaitTicks: 5,
  maxFetchEntries: 100,
  maxFetchBytes: 1 << 20,
  snapshotChunkBytes: 8,
  random: minimumRandom,
};

export type MessageFilter = (message: RaftMessage) => boolean;
export const all: MessageFilter = () => true;
export const between =
  (a: number, b: number): MessageFilter =>
  (m) =>
    (m.from === a && m.to === b) || (m.from === b && m.to === a);
export const touching =
  (id: number): MessageFilter =>
  (m) =>
    m.from === id || m.to === id;
export const not =
  (filter: MessageFilter): MessageFilter =>
  (m) =>
    !filter(m);

export class ScriptedCluster {
  readonly cores = new Map<number, RaftCore>();
  readonly stores = new Map<number, SimStore>();
  queue: RaftMessage[] = [];
  readonly lines: string[] = [];
  readonly #options: Omit<RaftOptions, 'nodeId'>;

  constructor(
    voters: readonly number[],
    observers: readonly number[] = [],
    options: Partial<RaftOptions> = {},
  ) {
    this.#options = { ...scriptedOptions, ...options, voters };
    for (const id of [...voters, ...observers]) {
      this.stores.set(id, new SimStore());
      this.#start(id);
    }
  }

  core(id: number): RaftCore {
    const core = this.cores.get(id);
    if (core === undefined) throw new Error(`node ${id} is down`);
    return core;
  }

  note(text: string): void {
    this.lines.push('', `# ${text}`);
  }

  tick(id: number, times = 1): void {
    this.lines.push(`> tick ${id}${times > 1 ? ` x${times}` : ''}`);
    for (let i = 0; i < times; i++) {
      this.core(id).tick();
      this.#process(id);
    }
  }

  propose(id: number, ...payloads: string[]): void {
    const result = this.core(id).propose(payloads.map((p) => Buffer.from(p)));
    this.lines.push(
      `> propose ${id} ${payloads.join(' ')}: ${result.ok ? `ok, last offset ${result.lastOffset}` : result.error}`,
    );
    this.#process(id);
  }

  snapshot(id: number, lastOffset: number, data: string): void {
    const core = this.core(id);
    const refused = core.snapshotTaken(
      { lastOffset, lastEpoch: core.epochAt(lastOffset) ?? -1 },
      Buffer.from(data),
    );
    this.lines.push(`> snapshot ${id} up to ${lastOffset}: ${refused ?? 'taken'}`);
    this.#process(id);
  }

  /** Deliver queued messages matching `filter`, and those they cause, until none is left. */
  deliver(filter: MessageFilter = all, roundsMax = 50): void {
    for (let round = 0; round < roundsMax; round++) {
      const ready = this.queue.filter(filter);
      if (ready.length === 0) return;
      this.queue = this.queue.filter((m) => !filter(m));
      for (const message of ready) this.#deliverOne(message);
    }
  }

  /** Deliver queued messages one at a time, oldest first, until `done` holds or none is left. */
  deliverUntil(done: () => boolean): void {
    while (!done() && this.queue.length > 0) this.#deliverOne(this.queue.shift()!);
  }

  /** Deliver only what is queued now, without what it causes. */
  deliverOnce(filter: MessageFilter = all): void {
    const ready = this.queue.filter(filter);
    this.queue = this.queue.filter((m) => !filter(m));
    for (const message of ready) this.#deliverOne(message);
  }

  drop(filter: MessageFilter = all): void {
    const dropped = this.queue.filter(filter);
    this.queue = this.queue.filter((m) => !filter(m));
    for (const m of dropped) this.lines.push(`> drop ${m.kind} ${m.from}->${m.to}`);
  }

  crash(id: number): void {
    this.lines.push(`> crash ${id}`);
    this.cores.delete(id);
    this.queue = this.queue.filter((m) => m.to !== id);
  }

  restart(id: number): void {
    this.lines.push(`> restart ${id}`);
    this.#start(id);
  }

  status(id: number): string {
    const c = this.core(id);
    return `${c.role} e${c.epoch} leader=${c.leaderId} vote=${c.votedFor} log=[${c.logStartOffset},${c.logEndOffset}) hw=${c.highWatermark}`;
  }

  /** Print every live node's state into the transcript. */
  state(): void {
    for (const id of this.cores.keys()) this.lines.push(`  ${id}: ${this.status(id)}`);
  }

  transcript(): string {
    return `${this.lines.join('\n').trim()}\n`;
  }

  #start(id: number): void {
    const core = RaftCore.create({ ...this.#options, nodeId: id }, this.stores.get(id)!.stored());
    this.cores.set(id, core);
    this.#process(id);
  }

  #deliverOne(message: RaftMessage): void {
    const core = this.cores.get(message.to);
    if (core === undefined) return;
    this.lines.push(`> deliver ${formatMessage(message)}`);
    core.receive(message);
    this.#process(message.to);
  }

  #process(id: number): void {
    const effects = this.core(id).drain();
    this.stores.get(id)!.persist(effects);
    this.queue.push(...effects.messages);
    for (const line of formatEffects(effects)) this.lines.push(`  ${id}: ${line}`);
  }
}

function entries(list: readonly Entry[]): string {
  return list
    .map(
      (e) =>
        `${e.offset}@e${e.epoch}${e.payload.length === 0 ? '(leader change)' : `:${e.payload.toString()}`}`,
    )
    .join(' ');
}

export function formatMessage(m: RaftMessage): string {
  const { kind, from, to, ...rest } = m;
  const fields = Object.entries(rest).map(([key, value]) => `${key}=${formatValue(value)}`);
  return `${kind} ${from}->${to} ${fields.join(' ')}`;
}

function formatValue(value: unknown): string {
  if (Buffer.isBuffer(value)) return `${value.length}B`;
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === 'object' && v !== null && 'offset' in v ? entries([v as Entry]) : formatValue(v))).join(' ')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(' ')}}`;
  return String(value);
}

export function formatEffects(effects: RaftEffects): string[] {
  const lines: string[] = [];
  for (const event of effects.events)
    lines.push(
      `event ${event.kind}: ${event.reason} -> ${event.role} e${event.epoch} leader=${event.leaderId}`,
    );
  if (effects.hardState !== null)
    lines.push(
      `persist hard state epoch=${effects.hardState.epoch} votedFor=${effects.hardState.votedFor}`,
    );
  if (effects.snapshotToPersist !== null)
    lines.push(
      `persist snapshot up to ${effects.snapshotToPersist.lastOffset}@e${effects.snapshotToPersist.lastEpoch}`,
    );
  if (effects.truncateFrom !== null) lines.push(`persist truncation from ${effects.truncateFrom}`);
  if (effects.entriesToPersist.length > 0)
    lines.push(`persist ${entries(effects.entriesToPersist)}`);
  for (const message of effects.messages) lines.push(`send ${formatMessage(message)}`);
  if (effects.snapshotToApply !== null)
    lines.push(`apply snapshot up to ${effects.snapshotToApply.lastOffset}`);
  if (effects.committed.length > 0) lines.push(`commit ${entries(effects.committed)}`);
  return lines;
}
