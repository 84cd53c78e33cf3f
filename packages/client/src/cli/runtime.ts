import type { Command } from 'commander';
import type { ClusterOptions } from '../cluster/cluster.js';
import {
  brokersFrom,
  clientOptions,
  type CliIo,
  type GlobalOptions,
  type OutputFormat,
} from './context.js';
import { describeFailure } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { OutputWriter } from './output.js';

/** What every command action gets. */
export interface ActionContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly format: OutputFormat;
  readonly out: OutputWriter;
  readonly client: ClusterOptions;
  /** Writes a line to stderr: progress, summaries, warnings (never data). */
  note(text: string): void;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  readonly signal: AbortSignal;
}

export type Action<O> = (
  ctx: ActionContext,
  args: readonly unknown[],
  options: O,
) => Promise<ExitCode | void>;

/** Ties command actions to the process: builds their context and records their exit code. */
export class CliRuntime {
  readonly io: CliIo;
  exitCode: ExitCode = ExitCode.ok;
  readonly #out: OutputWriter;

  readonly #signal: AbortSignal;

  constructor(io: CliIo, signal: AbortSignal) {
    this.io = io;
    this.#signal = signal;
    this.#out = new OutputWriter(io.stdout);
  }

  /** Wraps an action for commander: (…arguments, options, command). */
  action<O>(fn: Action<O>): (...params: unknown[]) => Promise<void> {
    return async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const options = command.opts<O & object>();
      const globals = command.optsWithGlobals<GlobalOptions>();
      const args = params.slice(0, -2);
      let brokers: string[] = [];
      try {
        brokers = brokersFrom(globals, this.io.env);
        const ctx: ActionContext = {
          io: this.io,
          globals,
          format: globals.format,
          out: this.#out,
          client: clientOptions(globals, this.io),
          note: (text) => void this.io.stderr.write(`${text}\n`),
          signal: this.#signal,
        };
        this.exitCode = (await fn(ctx, args, options)) ?? ExitCode.ok;
      } catch (error) {
        const failure = describeFailure(error, brokers);
        this.io.stderr.write(`error: ${failure.message}\n`);
        this.exitCode = failure.code;
      }
    };
  }
}
