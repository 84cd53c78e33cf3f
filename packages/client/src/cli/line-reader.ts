import type { Readable } from 'node:stream';
import { UsageError } from './exit-codes.js';

/**
 * Lines of a stream without their terminators (`\n`, or `\r\n`). Chunks are split as they
 * come, and a line longer than `lineBytesMax` is an error instead of an unbounded buffer.
 * A final line without a newline counts; an empty stream yields nothing.
 */
export async function* readLines(stream: Readable, lineBytesMax: number): AsyncGenerator<string> {
  let carry: Buffer[] = [];
  let carried = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      const piece = buf.subarray(start, nl);
      const line = carried === 0 ? piece : Buffer.concat([...carry, piece]);
      carry = [];
      carried = 0;
      if (line.length > lineBytesMax) throw tooLong(lineBytesMax);
      yield trimCarriageReturn(line).toString('utf8');
      start = nl + 1;
    }
    if (start < buf.length) {
      carry.push(buf.subarray(start));
      carried += buf.length - start;
      if (carried > lineBytesMax) throw tooLong(lineBytesMax);
    }
  }
  if (carried > 0) yield trimCarriageReturn(Buffer.concat(carry)).toString('utf8');
}

function trimCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}

function tooLong(max: number): UsageError {
  return new UsageError(`an input line is longer than ${max} bytes`);
}
