/** Exit codes scripts can rely on (rpk's convention for unhealthy). */
export const ExitCode = {
  ok: 0,
  /** The operation failed: the message says why and what to do. */
  error: 1,
  /** The command line itself is wrong: unknown command or option, bad value. */
  usage: 2,
  /** `cluster health`: the cluster answered, and it is not healthy. */
  unhealthy: 10,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad command line discovered after parsing (a value commander cannot check). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
