/**
 * A small invariant framework: named checks over a caller-defined context, run after every
 * simulation event. A check returns null when it holds, otherwise what it saw.
 */
export interface Invariant<C> {
  readonly name: string;
  check(context: C): string | null;
}

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';

  constructor(
    readonly invariant: string,
    readonly detail: string,
  ) {
    super(`invariant "${invariant}" violated: ${detail}`);
  }
}

export class InvariantChecker<C> {
  #checks = 0;

  constructor(readonly invariants: readonly Invariant<C>[]) {}

  /** How many individual checks have run: a failing run reports it, a passing one can assert it. */
  get checks(): number {
    return this.#checks;
  }

  check(context: C): void {
    for (const invariant of this.invariants) {
      this.#checks++;
      const problem = invariant.check(context);
      if (problem !== null) throw new InvariantViolation(invariant.name, problem);
    }
  }
}
