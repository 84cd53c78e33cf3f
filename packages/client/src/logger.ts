/** The logging seam. The default writes warnings and errors to stderr, one line each. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A logger that prints `[rill] level: message {fields}` lines to stderr at `level` and above. */
export function consoleLogger(level: LogLevel = 'warn'): Logger {
  const at =
    (messageLevel: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: Record<string, unknown>) => {
      if (rank[messageLevel] < rank[level]) return;
      const suffix = fields === undefined ? '' : ` ${JSON.stringify(fields)}`;
      process.stderr.write(`[rill] ${messageLevel}: ${message}${suffix}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = consoleLogger('silent');
