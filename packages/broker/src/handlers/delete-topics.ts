import { DeleteTopics, ErrorCode } from '@rill/protocol';
import { defineHandler } from './handler.js';

/** DeleteTopics v0–3; refused whole when delete.topic.enable is false, as in Kafka. */
export const deleteTopicsHandler = defineHandler({
  schema: DeleteTopics,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, context) {
    const { config, metadata } = context.services;
    if (!config.bool('delete.topic.enable')) {
      return {
        throttleTimeMs: 0,
        responses: request.topicNames.map((name) => ({ name, errorCode: ErrorCode.TOPIC_DELETION_DISABLED })),
      };
    }
    const outcomes = await metadata.deleteTopics(request.topicNames);
    return { throttleTimeMs: 0, responses: outcomes.map((o) => ({ name: o.name, errorCode: o.errorCode })) };
  },
});
