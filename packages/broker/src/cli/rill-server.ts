import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, loadConfigFile } from '../config/load-config.js';
import { createNodeLogger } from '../observability/logger.js';
import { RillNode, rillVersion } from '../rill-node.js';

const usage = `Usage: rill-server [--config FILE] [--set key=value ...]

Starts one Rill node. Properties use Kafka's names (node.id, process.roles, listeners,
log.dirs, ...). They come from the file, then KAFKA_* environment variables (the apache/kafka
image's spelling: KAFKA_NODE_ID sets node.id), then RILL_* ones (RILL_NODE_ID), then --set
flags; each overrides the ones before.

Options:
  -c, --config FILE    a server.properties-style file
  -s, --set KEY=VALUE  set one property (repeatable)
  -h, --help           show this help
  -v, --version        print the version
`;

/** The rill-server entry point: configure, start, and stop cleanly on SIGTERM or SIGINT. */
export async function main(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        set: { type: 'string', short: 's', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`rill-server: ${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (parsed.values.help) return void process.stdout.write(usage);
  if (parsed.values.version) return void process.stdout.write(`rill-server ${rillVersion}\n`);

  let node: RillNode;
  try {
    const config = loadConfig({
      ...(parsed.values.config !== undefined ? { file: loadConfigFile(parsed.values.config) } : {}),
      env: process.env,
      flags: parsed.values.set ?? [],
      onIgnoredEnv: (variable, key) => process.stderr.write(`rill-server: ignoring ${variable}: Rill has no property '${key}'\n`),
    });
    node = new RillNode(config, createNodeLogger(config.int('node.id')));
    await node.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rill-server: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const address = (error as { address?: string; port?: number });
      process.stderr.write(
        `rill-server: ${address.address}:${address.port} is already in use. Is another rill-server or Kafka running? ` +
          'Stop it, or choose other ports with listeners, internal.listener and http.listener.\n',
      );
      process.exit(1);
    }
    process.stderr.write(`rill-server: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    node.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`rill-server: unclean stop after ${signal}: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
