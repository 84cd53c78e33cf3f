/**
 * The states of a classic (JoinGroup/SyncGroup) group and the table of what each state
 * answers, after Kafka's ClassicGroupState. The coordinator core dispatches every request
 * through the per-state tables in its request files under core/; this file holds the states,
 * the allowed previous state of each, and the table as documentation.
 *
 * | request \ state       | Empty                        | PreparingRebalance            | CompletingRebalance               | Stable                               |
 * |-----------------------|------------------------------|-------------------------------|-----------------------------------|--------------------------------------|
 * | JoinGroup, new member | add; rebalance after the     | add; extends the initial      | add; rebalance                    | add; rebalance                       |
 * |                       | initial delay                | delay; complete if all joined |                                   |                                      |
 * |   (v4+, no member id) | MEMBER_ID_REQUIRED + pending | same                          | same                              | same                                 |
 * | JoinGroup, known      | UNKNOWN_MEMBER_ID            | update; wait for the others   | same protocols: this generation's | leader or new protocols: rebalance;  |
 * |                       |                              |                               | answer; else rebalance            | else this generation's answer        |
 * | SyncGroup             | UNKNOWN_MEMBER_ID            | REBALANCE_IN_PROGRESS         | wait; the leader's assignment is  | the member's assignment              |
 * |                       |                              |                               | persisted, then Stable            |                                      |
 * | Heartbeat             | UNKNOWN_MEMBER_ID            | REBALANCE_IN_PROGRESS         | NONE                              | NONE                                 |
 * | LeaveGroup            | UNKNOWN_MEMBER_ID            | remove; complete if all joined| remove; rebalance                 | remove; rebalance                    |
 * | OffsetCommit, member  | generation < 0: store;       | store                         | REBALANCE_IN_PROGRESS             | store                                |
 * |                       | else UNKNOWN_MEMBER_ID       |                               |                                   |                                      |
 * | session expires       | —                            | remove; complete if all joined| remove; rebalance                 | remove; rebalance                    |
 * | join timer            | —                            | complete the join phase       | —                                 | —                                    |
 * | sync timer            | —                            | —                             | remove unsynced; rebalance        | remove unsynced; rebalance           |
 *
 * Checked before the table, in Kafka's order: the group id (INVALID_GROUP_ID), whether this
 * node coordinates the group (NOT_COORDINATOR) and has loaded it (COORDINATOR_LOAD_IN_PROGRESS),
 * then member id (UNKNOWN_MEMBER_ID) and generation (ILLEGAL_GENERATION). A Dead group has
 * left the coordinator's map the moment it died, so requests find no group at all; a request
 * that still reached one would get COORDINATOR_NOT_AVAILABLE.
 */
import { assert } from '@rill/base';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The states each state may be entered from (Kafka's validPreviousStates). */
export const validPreviousStates: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

/** States from which a rebalance may start. */
export function canRebalance(state: GroupState): boolean {
  return validPreviousStates.PreparingRebalance.includes(state);
}

export function assertTransition(groupId: string, from: GroupState, to: GroupState): void {
  assert(validPreviousStates[to].includes(from), `group ${groupId}: ${from} -> ${to} is not a valid transition`);
}
