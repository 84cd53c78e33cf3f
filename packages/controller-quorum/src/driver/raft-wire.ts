import type { RaftMessage, RaftMessageKind } from '../raft/messages.js';

/**
 * Maps the core's messages to the protobuf envelope of proto/quorum.proto and back. The
 * mapping is mechanical; checking what a peer sent is the core's job (raft/validation.ts),
 * so a decoded message that makes no sense is still passed on, and dropped there.
 */
const bodyFieldOf: Readonly<Record<RaftMessageKind, string>> = {
  VoteRequest: 'voteRequest',
  VoteResponse: 'voteResponse',
  BeginQuorumEpochRequest: 'beginQuorumEpochRequest',
  BeginQuorumEpochResponse: 'beginQuorumEpochResponse',
  EndQuorumEpochRequest: 'endQuorumEpochRequest',
  EndQuorumEpochResponse: 'endQuorumEpochResponse',
  FetchRequest: 'fetchRequest',
  FetchResponse: 'fetchResponse',
  FetchSnapshotRequest: 'fetchSnapshotRequest',
  FetchSnapshotResponse: 'fetchSnapshotResponse',
};

const kindOfBodyField = new Map(Object.entries(bodyFieldOf).map(([kind, field]) => [field, kind as RaftMessageKind]));

type Fields = Record<string, unknown>;

export interface WireEnvelope {
  clusterId: string;
  from: number;
  to: number;
  replyTo?: string;
  body?: string;
  [field: string]: unknown;
}

export function toWire(message: RaftMessage, clusterId: string, replyTo = ''): WireEnvelope {
  const { kind, from, to, ...rest } = message as RaftMessage & Fields;
  const body: Fields = { ...rest };
  if ('error' in body) {
    body['header'] = { error: body['error'], epoch: body['epoch'], leaderId: body['leaderId'] ?? -1 };
    delete body['error'];
    delete body['leaderId'];
    delete body['epoch'];
  }
  return { clusterId, from, to, replyTo, [bodyFieldOf[kind]]: body };
}

/** The core's message, or null when the envelope carries no known body. */
export function fromWire(envelope: WireEnvelope): RaftMessage | null {
  const field = envelope.body;
  const kind = field === undefined ? undefined : kindOfBodyField.get(field);
  if (field === undefined || kind === undefined) return null;
  const body = { ...(envelope[field] as Fields) };
  const header = body['header'] as Fields | undefined;
  delete body['header'];
  const message: Fields = { kind, from: envelope.from, to: envelope.to, ...body };
  if (header !== undefined) {
    message['error'] = header['error'];
    message['epoch'] = header['epoch'];
    message['leaderId'] = header['leaderId'] === -1 ? null : header['leaderId'];
  }
  if (kind === 'FetchResponse') {
    message['divergingEpoch'] ??= null;
    message['snapshotId'] ??= null;
  }
  return message as unknown as RaftMessage;
}
