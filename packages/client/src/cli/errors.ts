import { CommanderError } from 'commander';
import {
  ConnectionError,
  InvalidArgumentError,
  KafkaError,
  MultiError,
  RillError,
  UnsupportedFeatureError,
} from '../errors.js';
import { ExitCode, UsageError } from './exit-codes.js';

/** Hints for the Kafka errors people meet most from a CLI. */
const hints: Readonly<Record<string, string>> = {
  TOPIC_ALREADY_EXISTS: 'use --if-not-exists to accept an existing topic',
  UNKNOWN_TOPIC_OR_PARTITION: "check the name with 'rill topic list'",
  INVALID_REPLICATION_FACTOR:
    "the replication factor cannot exceed the number of brokers ('rill cluster info')",
  INVALID_PARTITIONS:
    'the partition count must be positive (and larger than the current one to add partitions)',
  GROUP_ID_NOT_FOUND: "check the name with 'rill group list'",
  NON_EMPTY_GROUP: "stop the group's consumers first",
  INVALID_CONFIG: "check the key and value against 'rill topic describe'",
};

/** The message and exit code for an error that ends a command. */
export function describeFailure(
  error: unknown,
  brokers: readonly string[],
): { message: string; code: ExitCode } {
  if (error instanceof UsageError) return { message: error.message, code: ExitCode.usage };
  if (error instanceof CommanderError) return { message: error.message, code: ExitCode.usage };
  if (error instanceof ConnectionError) {
    return {
      message: `${error.message}\nhint: pass the right address with -b/--brokers or RILL_BROKERS (tried ${brokers.join(', ')})`,
      code: ExitCode.error,
    };
  }
  if (error instanceof KafkaError) {
    const hint = hints[error.name];
    return { message: `${error.message}${hint ? `\nhint: ${hint}` : ''}`, code: ExitCode.error };
  }
  if (error instanceof MultiError) {
    return {
      message: error.errors.map((e) => describeFailure(e, brokers).message).join('\n'),
      code: ExitCode.error,
    };
  }
  if (
    error instanceof UnsupportedFeatureError ||
    error instanceof InvalidArgumentError ||
    error instanceof RillError
  ) {
    return { message: error.message, code: ExitCode.error };
  }
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    // A system error (ENOENT on --file, EACCES…): its message already names the path.
    return { message: error.message, code: ExitCode.error };
  }
  return {
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    code: ExitCode.error,
  };
}
