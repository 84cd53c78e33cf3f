import { InvalidArgumentError } from '../../../errors.js';
import type { AssignorName } from '../../options.js';
import type { Assignor } from './assignor.js';
import { cooperativeStickyAssignor } from './cooperative-sticky.js';
import { rangeAssignor } from './range.js';
import { roundRobinAssignor } from './round-robin.js';

export type { AssignInput, Assignor, GroupAssignment, MemberSubscription } from './assignor.js';
export { cooperativeStickyAssignor, generationFromUserData } from './cooperative-sticky.js';
export { rangeAssignor } from './range.js';
export { roundRobinAssignor } from './round-robin.js';

const byName: ReadonlyMap<string, Assignor> = new Map(
  [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor].map((a) => [a.name, a]),
);

export function assignorsNamed(names: readonly AssignorName[]): Assignor[] {
  return names.map((name) => {
    const assignor = byName.get(name);
    if (assignor === undefined)
      throw new InvalidArgumentError(
        `unknown assignor "${name}": use range, roundrobin or cooperative-sticky`,
      );
    return assignor;
  });
}

/**
 * The rebalance protocol a member follows: cooperative only if every assignor it offers is
 * cooperative (Java's rule), since the group may pick any of them.
 */
export function rebalanceProtocolOf(assignors: readonly Assignor[]): 'eager' | 'cooperative' {
  return assignors.every((a) => a.rebalanceProtocol === 'cooperative') ? 'cooperative' : 'eager';
}
