import { assert } from '@rill/base';
import { DecodeError } from './decode-error.js';

// int64 values travel as two 32-bit halves so no BigInt is allocated on the hot path.
const TWO_POW_32 = 0x1_0000_0000;
// |value| <= 2^53 - 1 holds exactly when the high half lies in [-2^21, 2^21), excluding -2^53.
const HIGH_LIMIT = 0x20_0000;

export function readInt64(buf: Buffer, pos: number): number {
  const high = buf.readInt32BE(pos);
  const low = buf.readUInt32BE(pos + 4);
  if (high >= HIGH_LIMIT || high < -HIGH_LIMIT || (high === -HIGH_LIMIT && low === 0)) {
    throw new DecodeError(`int64 at ${pos} is outside the safe integer range`);
  }
  return high * TWO_POW_32 + low;
}

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  assert(Number.isSafeInteger(value), `int64 value ${value} is not a safe integer`);
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * TWO_POW_32, pos + 4);
}
