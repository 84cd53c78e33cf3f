import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverBin = fileURLToPath(new URL('../../bin/rill-server.js', import.meta.url));

/**
 * `npm start`: runs the nodes of a local cluster as child processes, one config file each,
 * prefixes their log lines with the node's name, and stops them all on Ctrl-C or SIGTERM.
 * If one node exits on its own, the others are stopped too, so nothing is left behind.
 */
export function runLocalCluster(configFiles: readonly string[]): void {
  const children = configFiles.map((file, i) => startNode(`node${i + 1}`, file));
  let stopping = false;
  const stopAll = (code: number): void => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    let running = children.length;
    for (const child of children) {
      child.once('exit', () => {
        running -= 1;
        if (running === 0) process.exit(code);
      });
    }
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  for (const child of children) child.once('exit', (code) => stopAll(code ?? 1));
  process.stdout.write(
    `Starting ${configFiles.length} Rill nodes. Kafka clients: --bootstrap-server 127.0.0.1:9092,127.0.0.1:9192,127.0.0.1:9292\n` +
      'Metrics: http://127.0.0.1:9644/metrics (9645, 9646 for the others). Ctrl-C stops the cluster.\n',
  );
}

function startNode(name: string, configFile: string): ChildProcess {
  const child = spawn(process.execPath, [serverBin, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line !== '') stream.write(`${name} | ${line}\n`);
  };
  child.stdout!.on('data', prefix(process.stdout));
  child.stderr!.on('data', prefix(process.stderr));
  return child;
}
