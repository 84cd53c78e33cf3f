/**
 * Reads the Java .properties format that Kafka's server.properties uses: `key=value` or
 * `key: value`, `#` and `!` comments, backslash line continuations.
 */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.trim();
    }
    const separator = line.search(/[=:]/);
    if (separator < 0) {
      properties.set(line, '');
      continue;
    }
    properties.set(line.slice(0, separator).trim(), line.slice(separator + 1).trim());
  }
  return properties;
}
