/**
 * Topics the broker owns, like Kafka's `__consumer_offsets`: listed as internal in
 * Metadata, created by their owner with their own settings (never auto-created by a
 * client's Metadata request), and closed to producers.
 */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__');
}
