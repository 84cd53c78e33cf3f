import { CreatePartitions, ErrorCode } from '@rill/protocol';
import { topicsPerRequestMax } from '../limits.js';
import { defineHandler } from './handler.js';

/**
 * CreatePartitions v0–1: grows topics, never shrinks them. Forwarded to the active
 * controller like CreateTopics, and answered once this broker has replayed the change.
 */
export const createPartitionsHandler = defineHandler({
  schema: CreatePartitions,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const accepted = request.topics.slice(0, topicsPerRequestMax);
    const refused = request.topics.slice(topicsPerRequestMax).map((t) => ({
      name: t.name,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: `at most ${topicsPerRequestMax} topics per request`,
    }));
    const outcomes = await context.services.metadata.createPartitions(
      accepted.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments?.map((a) => a.brokerIds) ?? null })),
      { validateOnly: request.validateOnly },
    );
    return { throttleTimeMs: 0, results: [...outcomes, ...refused] };
  },
});
