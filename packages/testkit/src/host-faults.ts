import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Disk and syscall faults for real processes on one machine: a small tmpfs that can be
 * filled to ENOSPC (root), and fsync/fdatasync failing with EIO through strace (ptrace).
 */

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Mounts a tmpfs of `sizeMb` on `dir` (root only). */
export async function mountTmpfs(dir: string, sizeMb: number): Promise<void> {
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
}

export async function unmountTmpfs(dir: string): Promise<void> {
  await run('umount', ['-l', dir]).catch(() => undefined);
}

const fillerName = '.rill-disk-filler';

/**
 * Fills the file system holding `dir` until a write fails with ENOSPC, leaving at most
 * `leaveBytes` free. Returns the bytes written; freeDisk() gives them back.
 */
export function fillDisk(dir: string, leaveBytes = 0): number {
  const path = join(dir, fillerName);
  const fd = openSync(path, 'a');
  const chunk = Buffer.alloc(1024 * 1024);
  let written = 0;
  try {
    for (;;) {
      const stats = statfsSync(dir);
      const free = stats.bavail * stats.bsize - leaveBytes;
      if (free <= 0) break;
      try {
        written += writeSync(fd, chunk, 0, Math.min(chunk.length, free));
      } catch {
        break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

export function freeDisk(dir: string): void {
  rmSync(join(dir, fillerName), { force: true });
}

/** An strace attached to a process, failing its fsync-family calls until stopped. */
export interface SyscallFault {
  /** How many calls failed so far (strace reports each). */
  readonly injected: number;
  stop(): Promise<void>;
}

/**
 * Attaches strace to `pid` (every thread) and makes fsync and fdatasync fail with EIO, the
 * fsyncgate fault. The process runs slower while traced. Needs strace and ptrace rights.
 */
export async function injectFsyncErrors(pid: number): Promise<SyscallFault> {
  const child: ChildProcess = spawn(
    'strace',
    ['-f', '-qq', '-p', String(pid), '-e', 'trace=fsync,fdatasync', '-e', 'inject=fsync,fdatasync:error=EIO'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let injected = 0;
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    injected += text.split('(INJECTED)').length - 1;
  });
  child.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // Attached, strace runs until stopped, or until the traced process exits (an injected
  // error may well end it); one that could not attach (no ptrace rights) exits at once.
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 300))]);
  const ended = child.exitCode !== null || child.signalCode !== null;
  if (ended && injected === 0 && /attach|ptrace|not permitted/i.test(output)) throw new Error(`strace could not attach to ${pid}: ${output.trim()}`);
  return {
    get injected() {
      return injected;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await exited;
    },
  };
}
