import type { Writable } from 'node:stream';

/** Rows as aligned columns, headers first (like kafka-consumer-groups and rpk). */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/**
 * Writes to a stream, waiting when it is full, so a slow pipe (`| less`) slows us down
 * instead of filling memory. A closed pipe (`| head`) ends output quietly.
 */
export class OutputWriter {
  readonly #stream: Writable;
  #closed = false;

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.#closed = true;
    });
  }

  /** The reader went away (EPIPE): stop producing output. */
  get closed(): boolean {
    return this.#closed;
  }

  async write(text: string): Promise<void> {
    if (this.#closed) return;
    if (this.#stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#stream.off('drain', done);
        this.#stream.off('error', done);
        this.#stream.off('close', done);
        resolve();
      };
      this.#stream.once('drain', done);
      this.#stream.once('error', done);
      this.#stream.once('close', done);
    });
  }
}

export function json(value: unknown): string {
  return JSON.stringify(value) + '\n';
}
