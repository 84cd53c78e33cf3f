import { ErrorCode } from '@rill/protocol';

/**
 * Kafka error codes the controller answers with that @rill/protocol does not list yet (it
 * holds those of the client-facing APIs). The numbers are Kafka's (Errors.java); they move
 * into ErrorCode once a broker-facing handler needs them on the wire.
 */
export const ControllerErrorCode = {
  ...ErrorCode,
  INVALID_UPDATE_VERSION: 95,
  UNKNOWN_TOPIC_ID: 100,
  BROKER_ID_NOT_REGISTERED: 102,
  INELIGIBLE_REPLICA: 107,
} as const;
export type ControllerErrorCode = (typeof ControllerErrorCode)[keyof typeof ControllerErrorCode];
