import { pino, type Logger } from 'pino';

/** The root logger of a node: JSON lines on stdout, with nodeId bound on every line. */
export function createNodeLogger(nodeId: number, level = process.env['RILL_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ level, base: { nodeId } });
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
