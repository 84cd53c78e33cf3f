/**
 * Assertions guard our own invariants. A failed one is a programmer error: it throws an
 * AssertionFailure that nothing catches, and the node crashes loudly. Never use them to
 * validate input; input errors are typed values (Kafka error codes).
 */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionFailure(`${message}: ${String(value)}`);
}
