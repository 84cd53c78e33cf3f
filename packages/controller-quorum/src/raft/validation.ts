/**
 * The core's boundary check. The driver hands us decoded protobuf, the simulator hands us
 * whatever a faulty network made of a message: nothing is trusted. Every field of every
 * message is checked for type and range here, so the handlers only see well-formed values
 * and a bad message is dropped before it can touch state (reliability plan §5, 36-40).
 */
import {
  epochMax,
  fetchEntriesMax,
  nodeIdMax,
  offsetMax,
  payloadBytesMax,
  snapshotBytesMax,
  votersMax,
} from './limits.js';
import { raftErrors } from './messages.js';
import type { RaftMessage } from './messages.js';

type Fields = Record<string, unknown>;
type Check = (value: unknown) => boolean;

const isInt =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isEpoch = isInt(0, epochMax);
const isNode = isInt(0, nodeIdMax);
const isOffset = isInt(0, offsetMax);
const isCount = isInt(0, 0x7fff_ffff);
const isBool: Check = (v) => typeof v === 'boolean';
const isError: Check = (v) =>
  typeof v === 'string' && (raftErrors as readonly string[]).includes(v);
const isNodeOrNull: Check = (v) => v === null || isNode(v);
const isBuffer: Check = (v) => Buffer.isBuffer(v);

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isSnapshotId: Check = (v) =>
  isObject(v) && isOffset(v['lastOffset']) && isEpoch(v['lastEpoch']);
const isSnapshotIdOrNull: Check = (v) => v === null || isSnapshotId(v);
const isDivergingOrNull: Check = (v) =>
  v === null || (isObject(v) && isEpoch(v['epoch']) && isOffset(v['endOffset']));
const isEntry: Check = (v) =>
  isObject(v) &&
  isOffset(v['offset']) &&
  isEpoch(v['epoch']) &&
  isBuffer(v['payload']) &&
  (v['payload'] as Buffer).length <= payloadBytesMax;
const isEntries: Check = (v) => Array.isArray(v) && v.length <= fetchEntriesMax && v.every(isEntry);
const isSuccessors: Check = (v) => Array.isArray(v) && v.length <= votersMax && v.every(isNode);
const isChunk: Check = (v) => isBuffer(v) && (v as Buffer).length <= snapshotBytesMax;

const response: Readonly<Record<string, Check>> = {
  error: isError,
  epoch: isEpoch,
  leaderId: isNodeOrNull,
};

/** The fields of each kind and the check each must pass. */
const schemas: Readonly<Record<RaftMessage['kind'], Readonly<Record<string, Check>>>> = {
  VoteRequest: { epoch: isEpoch, preVote: isBool, lastEpoch: isEpoch, logEndOffset: isOffset },
  VoteResponse: { ...response, preVote: isBool, voteGranted: isBool },
  BeginQuorumEpochRequest: { epoch: isEpoch, leaderId: isNode },
  BeginQuorumEpochResponse: response,
  EndQuorumEpochRequest: { epoch: isEpoch, leaderId: isNode, preferredSuccessors: isSuccessors },
  EndQuorumEpochResponse: response,
  FetchRequest: {
    correlationId: isCount,
    epoch: isEpoch,
    fetchOffset: isOffset,
    lastFetchedEpoch: isEpoch,
    highWatermark: isOffset,
    maxBytes: isCount,
  },
  FetchResponse: {
    ...response,
    correlationId: isCount,
    highWatermark: isOffset,
    entries: isEntries,
    divergingEpoch: isDivergingOrNull,
    snapshotId: isSnapshotIdOrNull,
  },
  FetchSnapshotRequest: {
    correlationId: isCount,
    epoch: isEpoch,
    snapshotId: isSnapshotId,
    position: isOffset,
    maxBytes: isCount,
  },
  FetchSnapshotResponse: {
    ...response,
    correlationId: isCount,
    snapshotId: isSnapshotId,
    size: isInt(0, snapshotBytesMax),
    position: isOffset,
    chunk: isChunk,
  },
};

/** Null when `message` is a well-formed RaftMessage; otherwise why it is not. */
export function validateMessage(message: unknown): string | null {
  if (!isObject(message)) return 'not an object';
  const kind = message['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(schemas, kind))
    return `unknown kind ${String(kind).slice(0, 40)}`;
  if (!isNode(message['from'])) return `${kind}: bad from`;
  if (!isNode(message['to'])) return `${kind}: bad to`;
  const schema = schemas[kind as RaftMessage['kind']];
  for (const field of Object.keys(schema)) {
    if (!schema[field]!(message[field])) return `${kind}: bad ${field}`;
  }
  return null;
}
