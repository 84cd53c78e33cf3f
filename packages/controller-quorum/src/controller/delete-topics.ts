import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { ErrorCode as Code } from '@rill/protocol';
import { failure, success, type ControllerResult, type Outcome } from './result.js';

export interface DeleteTopicOutcome extends Outcome {
  readonly name: string;
  readonly topicId: string | null;
}

/**
 * DeleteTopics by name: one RemoveTopic record per known topic. Replay drops the topic's
 * configs with it, and brokers holding its replicas see them in localChanges().deletes.
 */
export function deleteTopics(
  image: MetadataImage,
  names: readonly string[],
): ControllerResult<DeleteTopicOutcome[]> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  const records: MetadataRecord[] = [];
  const response: DeleteTopicOutcome[] = [];
  for (const name of names) {
    const topic = image.topics.byName.get(name);
    if (counts.get(name)! > 1) {
      response.push({
        name,
        topicId: null,
        ...failure(Code.INVALID_REQUEST, `topic '${name}' appears twice in the request`),
      });
    } else if (topic === undefined) {
      response.push({
        name,
        topicId: null,
        ...failure(Code.UNKNOWN_TOPIC_OR_PARTITION, `no topic named '${name}'`),
      });
    } else {
      records.push({ type: 'removeTopic', topicId: topic.topicId });
      response.push({ name, topicId: topic.topicId, ...success });
    }
  }
  return { records, response };
}
