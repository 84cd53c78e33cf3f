import { propertyDefinitions, topicConfigSynonyms, type PropertyDefinition } from './definitions.js';

const header = `# Configuration reference

<!-- Generated from packages/broker/src/config/definitions.ts by \`node scripts/config-docs.mjs\`.
     Do not edit this page: change the table there and run the script. The test suite fails
     while this page and the table disagree. -->

Every property \`rill-server\` honours, with Kafka's name and, where Kafka has the property,
Kafka's default. A node reads them, each source overriding the ones before it:

1. a properties file, \`rill-server --config server.properties\` (Java's \`.properties\` format,
   as Kafka's \`server.properties\`);
2. \`KAFKA_*\` environment variables, spelled as the apache/kafka Docker image spells them
   (\`KAFKA_NODE_ID\` sets \`node.id\`: \`_\` stands for a dot, \`__\` for an underscore, \`___\`
   for a dash) or as bitnami/kafka does (\`KAFKA_CFG_NODE_ID\`). A \`KAFKA_*\` variable that names
   no property below is skipped with a warning on stderr, since Kafka's own tools use that
   prefix too (\`KAFKA_HOME\`, \`KAFKA_HEAP_OPTS\`);
3. \`RILL_*\` environment variables: the property upper-cased, dots as underscores
   (\`RILL_NODE_ID\`, \`RILL_LOG_DIRS\`);
4. flags, \`--set key=value\`, repeatable.

An unknown property from a file, a \`RILL_*\` variable or a flag, and any bad value, stop the
server before it opens a port, with a message that names the property and where it came from.
Lists are comma-separated.
`;

/** The whole of docs/configuration.md. */
export function renderConfigurationReference(): string {
  const rows = propertyDefinitions.map(
    (d) => `| \`${d.name}\` | ${d.type} | ${formatDefault(d)} | ${allowed(d)} | ${cell(d.doc)} |`,
  );
  const synonyms = Object.entries(topicConfigSynonyms).map(([topic, broker]) => `| \`${topic}\` | \`${broker}\` |`);
  return [
    header,
    `## Properties (${propertyDefinitions.length})`,
    '',
    '| property | type | default | allowed | meaning |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## Topic-level overrides',
    '',
    'CreateTopics accepts these topic configs; a topic without one uses the broker property',
    'beside it, as Kafka does.',
    '',
    '| topic config | broker default |',
    '|---|---|',
    ...synonyms,
    '',
  ].join('\n');
}

function formatDefault(d: PropertyDefinition): string {
  if (d.default === null) return '(none)';
  if (d.default === '') return '(empty)';
  const hint = d.type === 'long' || d.type === 'int' ? durationHint(d.name, Number(d.default)) : '';
  return `\`${d.default}\`${hint}`;
}

/** "(7 d)" beside a millisecond default, "(never)" beside the largest number. */
function durationHint(name: string, value: number): string {
  if (value === Number.MAX_SAFE_INTEGER || value === 2 ** 31 - 1) return ' (no limit)';
  const msPerUnit = name.endsWith('.ms') ? 1 : name.endsWith('.seconds') ? 1000 : name.endsWith('.minutes') ? 60_000 : 0;
  if (msPerUnit === 0 || value <= 0) return '';
  const ms = value * msPerUnit;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0 && !(unit === 's' && msPerUnit === 1000)) return ` (${ms / size} ${unit})`;
  }
  return '';
}

function allowed(d: PropertyDefinition): string {
  if (d.oneOf) return d.oneOf.map((v) => `\`${v}\``).join(', ');
  if (d.type === 'boolean') return '`true`, `false`';
  if (d.min !== undefined && d.max !== undefined) return `${d.min} … ${d.max}`;
  if (d.min !== undefined) return `≥ ${d.min}`;
  if (d.max !== undefined) return `≤ ${d.max}`;
  return '';
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
