import { readFileSync } from 'node:fs';

const clockTicksPerSecond = 100;

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/** Peak resident memory of a process in bytes (VmHWM), from /proc. */
export function peakRssBytes(pid: number): number {
  return statusField(pid, 'VmHWM');
}

/** Resident memory of a process in bytes now (VmRSS), from /proc. */
export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

function statusField(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU use of some processes over one interval, in cores (1.0 = one core busy all along). */
export class CpuMeter {
  readonly #pids: readonly number[];
  readonly #before: number[];
  readonly #startedMs = performance.now();

  constructor(pids: readonly number[]) {
    this.#pids = pids;
    this.#before = pids.map((pid) => cpuSeconds(pid));
  }

  /** CPU seconds of all the processes together since construction. */
  seconds(): number {
    return this.#pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - this.#before[i]!, 0);
  }

  /** Cores used by each process since construction. */
  cores(): number[] {
    const seconds = (performance.now() - this.#startedMs) / 1000;
    return this.#pids.map((pid, i) => (cpuSeconds(pid) - this.#before[i]!) / seconds);
  }
}
