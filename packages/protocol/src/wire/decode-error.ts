/**
 * The only error a decoder may throw for bad input. Callers answer it with a Kafka error code
 * or by closing the connection; anything else escaping a decoder is a bug.
 */
export class DecodeError extends Error {
  override readonly name: string = 'DecodeError';

  constructor(readonly reason: string) {
    super(reason);
  }
}
