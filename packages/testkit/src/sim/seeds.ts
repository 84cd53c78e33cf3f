/**
 * Seeds for simulation tests. One seed drives a whole run, so a failure is replayed by its
 * number alone (with the same commit): `RILL_SEED=n` runs exactly that seed, `RILL_SEEDS=N`
 * runs N seeds instead of the default count.
 */

export interface SeedPlan {
  /** First seed of the default range. */
  readonly first: number;
  /** Seeds in the default range. */
  readonly count: number;
}

export function seedsFromEnv(
  plan: SeedPlan,
  env: Readonly<Record<string, string | undefined>> = process.env,
): number[] {
  const single = env['RILL_SEED'];
  if (single !== undefined && single !== '') return [parseSeed(single, 'RILL_SEED')];
  const countText = env['RILL_SEEDS'];
  const count =
    countText === undefined || countText === '' ? plan.count : parseSeed(countText, 'RILL_SEEDS');
  return Array.from({ length: count }, (_, i) => plan.first + i);
}

function parseSeed(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got ${text}`);
  return value;
}

/** Run one seed; a failure is rethrown with `SEED=n` and the command that replays it. */
export function runSeed<T>(
  seed: number,
  testFile: string,
  body: () => T,
  context: () => string = () => '',
): T {
  try {
    return body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const extra = context();
    const replay = `RILL_SEED=${seed} npx vitest run ${testFile}`;
    const failure = new Error(
      `SEED=${seed}: ${message}\nreplay: ${replay}${extra === '' ? '' : `\n${extra}`}`,
    );
    failure.stack = `${failure.message}\n${error instanceof Error ? (error.stack ?? '') : ''}`;
    throw failure;
  }
}
