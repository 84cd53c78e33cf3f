import type { Writable } from 'node:stream';

const REDRAW_MS = 200;
const BAR_WIDTH = 30;

/**
 * A one-line progress bar with rates, redrawn in place on a terminal. Off a terminal it
 * draws nothing, so piped output stays clean.
 */
export class ProgressBar {
  readonly #stream: Writable & { isTTY?: boolean };
  readonly #total: number;
  readonly #label: string;
  readonly #startedMs = performance.now();
  #lastDrawMs = 0;

  constructor(stream: Writable & { isTTY?: boolean }, total: number, label: string) {
    this.#stream = stream;
    this.#total = total;
    this.#label = label;
  }

  update(done: number, bytes: number): void {
    const now = performance.now();
    if (this.#stream.isTTY !== true || now - this.#lastDrawMs < REDRAW_MS) return;
    this.#lastDrawMs = now;
    this.#stream.write(
      `\r${progressLine({ label: this.#label, done, total: this.#total, bytes, elapsedMs: now - this.#startedMs })}`,
    );
  }

  finish(): void {
    if (this.#stream.isTTY === true) this.#stream.write('\r\u001b[2K');
  }
}

export function progressLine(args: {
  label: string;
  done: number;
  total: number;
  bytes: number;
  elapsedMs: number;
}): string {
  const fraction = args.total > 0 ? Math.min(1, args.done / args.total) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar =
    '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(BAR_WIDTH - filled);
  const seconds = Math.max(args.elapsedMs / 1000, 1e-9);
  const rate = Math.round(args.done / seconds).toLocaleString('en-US');
  const mbps = (args.bytes / 1e6 / seconds).toFixed(1);
  return `${args.label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${rate} records/s  ${mbps} MB/s`;
}
