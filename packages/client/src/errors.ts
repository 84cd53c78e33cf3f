import { ErrorCode, errorInfo } from '@rill/protocol';

/**
 * The root of every error this package throws. `retriable` says whether trying the same
 * operation again may succeed (the Java client's RetriableException split), so callers can
 * decide without knowing every subclass.
 */
export class RillError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable;
  }
}

export interface KafkaErrorContext {
  readonly apiName?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly groupId?: string;
  /** The broker's own message, when the response carries one. */
  readonly brokerMessage?: string | null;
}

/**
 * An error code a broker answered with. `name` is Kafka's name for the code
 * (`NOT_LEADER_OR_FOLLOWER`), so logs read like the Java client's and scripts can match it.
 */
export class KafkaError extends RillError {
  override readonly name: string;
  readonly code: number;
  readonly context: KafkaErrorContext;

  constructor(code: number, context: KafkaErrorContext = {}) {
    const info = errorInfo(code);
    super(describeKafkaError(info.name, context), { retriable: info.retriable });
    this.name = info.name;
    this.code = code;
    this.context = context;
  }
}

function describeKafkaError(name: string, context: KafkaErrorContext): string {
  const where: string[] = [];
  if (context.apiName !== undefined) where.push(context.apiName);
  if (context.topic !== undefined) {
    where.push(
      context.partition === undefined
        ? `topic ${context.topic}`
        : `${context.topic}[${context.partition}]`,
    );
  }
  if (context.groupId !== undefined) where.push(`group ${context.groupId}`);
  const detail = context.brokerMessage ? `: ${context.brokerMessage}` : '';
  return `${name}${where.length > 0 ? ` (${where.join(', ')})` : ''}${detail}`;
}

/** Throws a KafkaError unless `code` is NONE. */
export function throwIfError(code: number, context: KafkaErrorContext = {}): void {
  if (code !== ErrorCode.NONE) throw new KafkaError(code, context);
}

/** A broker could not be reached, or the connection to it broke. Always retriable. */
export class ConnectionError extends RillError {
  override readonly name = 'ConnectionError';
  readonly address: string;

  constructor(address: string, message: string, cause?: unknown) {
    super(message, { retriable: true, cause });
    this.address = address;
  }
}

/** A request got no answer within its timeout; the connection it used is closed. */
export class RequestTimeoutError extends RillError {
  override readonly name = 'RequestTimeoutError';

  constructor(message: string) {
    super(message, { retriable: true });
  }
}

/** An operation did not finish within the time the caller allowed (delivery.timeout.ms, …). */
export class DeadlineExceededError extends RillError {
  override readonly name = 'DeadlineExceededError';

  constructor(message: string, cause?: unknown) {
    super(message, { retriable: false, cause });
  }
}

/** The cluster does not serve something this operation needs (an API or version). */
export class UnsupportedFeatureError extends RillError {
  override readonly name = 'UnsupportedFeatureError';

  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A caller passed options or arguments that cannot work; the message says which. */
export class InvalidArgumentError extends RillError {
  override readonly name = 'InvalidArgumentError';

  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** The Producer, Consumer or Admin was used after close(). */
export class ClosedError extends RillError {
  override readonly name = 'ClosedError';

  constructor(what: string) {
    super(`${what} is closed`, { retriable: false });
  }
}

/** A bounded queue or buffer is full; trying later may succeed. */
export class LimitExceededError extends RillError {
  override readonly name = 'LimitExceededError';

  constructor(message: string) {
    super(message, { retriable: true });
  }
}

/** The broker sent something that does not decode, or answers out of order. */
export class ProtocolError extends RillError {
  override readonly name = 'ProtocolError';

  constructor(message: string, cause?: unknown) {
    super(message, { retriable: true, cause });
  }
}

export function isRetriable(error: unknown): boolean {
  return error instanceof RillError && error.retriable;
}

/** Several parts of one operation failed (topics of a CreateTopics, …); each error is kept. */
export class MultiError extends RillError {
  override readonly name = 'MultiError';
  readonly errors: readonly RillError[];

  constructor(message: string, errors: readonly RillError[]) {
    super(`${message}: ${errors.map((e) => e.message).join('; ')}`, {
      retriable: errors.every((e) => e.retriable),
    });
    this.errors = errors;
  }
}

/** Throws nothing for no errors, the error itself for one, a MultiError for several. */
export function throwCollected(message: string, errors: readonly RillError[]): void {
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new MultiError(message, errors);
}
