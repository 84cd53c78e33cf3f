import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cliBin = fileURLToPath(new URL('../../packages/client/bin/rill.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly brokers?: string;
  readonly stdin?: string;
  readonly timeoutMs?: number;
  /** Run inside a pseudo-terminal (util-linux `script`), so stdout and stderr are a TTY. */
  readonly pty?: boolean;
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs the built `rill` binary as a separate process; kills it if it outlives the timeout. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: '120' };
  delete env['RILL_BROKERS'];
  if (options.brokers !== undefined) env['RILL_BROKERS'] = options.brokers;
  const command = options.pty
    ? spawn(
        'script',
        ['-qec', [process.execPath, cliBin, ...args].map(shellQuote).join(' '), '/dev/null'],
        { env },
      )
    : spawn(process.execPath, [cliBin, ...args], { env });
  let stdout = '';
  let stderr = '';
  command.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  command.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  command.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      command.kill('SIGKILL');
      reject(
        new Error(
          `rill ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 30_000);
    command.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
