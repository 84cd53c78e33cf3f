/**
 * The environment-variable spellings of Kafka's Docker images, so a compose file written for
 * apache/kafka or bitnami/kafka needs few changes: `KAFKA_NODE_ID` (apache: `_` → `.`,
 * `__` → `_`, `___` → `-`) and `KAFKA_CFG_NODE_ID` (bitnami) both name `node.id`.
 */

/** Variables of Kafka's start scripts and images that are not broker properties. */
const notProperties = new Set([
  'KAFKA_HOME', 'KAFKA_OPTS', 'KAFKA_HEAP_OPTS', 'KAFKA_JVM_PERFORMANCE_OPTS', 'KAFKA_JMX_OPTS',
  'KAFKA_GC_LOG_OPTS', 'KAFKA_LOG4J_OPTS', 'KAFKA_DEBUG',
]);

export interface KafkaEnvProperty {
  readonly key: string;
  readonly value: string;
  /** The variable it came from, for messages. */
  readonly origin: string;
}

/** The property a KAFKA_* or KAFKA_CFG_* variable names, or null for any other variable. */
export function kafkaEnvKey(name: string): string | null {
  if (!name.startsWith('KAFKA_') || notProperties.has(name)) return null;
  const bitnami = name.startsWith('KAFKA_CFG_');
  const rest = name.slice(bitnami ? 'KAFKA_CFG_'.length : 'KAFKA_'.length);
  if (rest === '' || !/^[A-Z0-9_]+$/.test(rest)) return null;
  if (bitnami) return rest.toLowerCase().replaceAll('_', '.');
  const separators: Record<number, string> = { 1: '.', 2: '_', 3: '-' };
  let invalid = false;
  const key = rest.toLowerCase().replace(/_+/g, (run) => {
    const separator = separators[run.length];
    if (separator === undefined) invalid = true;
    return separator ?? run;
  });
  return invalid ? null : key;
}

/**
 * The KAFKA_* properties of an environment, bitnami's KAFKA_CFG_* after apache's KAFKA_* so
 * the more specific spelling wins when both name one property.
 */
export function kafkaEnvProperties(env: Readonly<Record<string, string | undefined>>): KafkaEnvProperty[] {
  const found: KafkaEnvProperty[] = [];
  for (const [name, value] of Object.entries(env)) {
    const key = value === undefined ? null : kafkaEnvKey(name);
    if (key !== null) found.push({ key, value: value!, origin: name });
  }
  const isBitnami = (p: KafkaEnvProperty): number => (p.origin.startsWith('KAFKA_CFG_') ? 1 : 0);
  return found.sort((a, b) => isBitnami(a) - isBitnami(b));
}
