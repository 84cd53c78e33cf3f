import { Command, CommanderError, Option } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerCluster } from './commands/cluster.js';
import { registerConsume } from './commands/consume.js';
import { registerGroup } from './commands/group.js';
import { registerProduce } from './commands/produce.js';
import { registerTopic } from './commands/topic.js';
import { DEFAULT_BROKERS, type CliIo } from './context.js';
import { ExitCode } from './exit-codes.js';
import { CliRuntime } from './runtime.js';

/** The `rill` command tree. */
export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command('rill')
    .description('Command-line client for Rill and any Kafka-compatible cluster')
    .version('0.1.0')
    .addOption(
      new Option(
        '-b, --brokers <list>',
        `bootstrap brokers, host:port,… (env RILL_BROKERS, default ${DEFAULT_BROKERS})`,
      ),
    )
    .addOption(new Option('--bootstrap-server <list>', 'alias of --brokers').hideHelp())
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .option('--client-id <id>', 'client id sent to the brokers', 'rill-cli')
    .option('--request-timeout-ms <ms>', 'how long one request may take', '30000')
    .option('-v, --verbose', 'log client internals to stderr')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void runtime.io.stdout.write(text),
      writeErr: (text) => void runtime.io.stderr.write(text),
    });
  program.hook('preAction', (_root, action) => {
    const globals = action.optsWithGlobals<{ bootstrapServer?: string; brokers?: string }>();
    if (globals.brokers === undefined && globals.bootstrapServer !== undefined)
      program.setOptionValue('brokers', globals.bootstrapServer);
  });
  registerTopic(program, runtime);
  registerProduce(program, runtime);
  registerConsume(program, runtime);
  registerGroup(program, runtime);
  registerCluster(program, runtime);
  registerBench(program, runtime);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI with these arguments and streams; resolves with the exit code. */
export async function run(
  argv: readonly string[],
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  const runtime = new CliRuntime(io, signal);
  const program = buildProgram(runtime);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw error;
  }
  return runtime.exitCode;
}

/** The `rill` binary: real streams, SIGINT/SIGTERM stop long-running commands cleanly. */
export async function main(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await run(
    argv,
    { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env },
    controller.signal,
  );
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  process.exitCode = code;
}
