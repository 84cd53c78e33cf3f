import type { MetadataRecord } from '../metadata/records.js';

/**
 * What every controller operation returns: the records that make the change, and the answer
 * to send once they commit. Operations never mutate anything — the image changes only when
 * the records are replayed — so a lost leadership simply drops the result (DESIGN §6).
 * The records of one result go into one Raft entry (encodeEntryPayload): all or nothing.
 */
export interface ControllerResult<R> {
  readonly records: readonly MetadataRecord[];
  readonly response: R;
}

/** The answer most operations give per item: a Kafka error code and a human reason. */
export interface Outcome {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export const success: Outcome = { errorCode: 0, errorMessage: null };

export function failure(errorCode: number, errorMessage: string): Outcome {
  return { errorCode, errorMessage };
}
