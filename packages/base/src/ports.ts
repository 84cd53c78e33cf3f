/**
 * The seams between pure cores and the world. Cores receive these; drivers supply real
 * ones, tests and the simulator supply fake ones.
 */
export interface Clock {
  /** Milliseconds on a monotonic clock: for timeouts and durations. */
  nowMs(): number;
  /** Milliseconds since the Unix epoch: for record timestamps and retention. */
  wallMs(): number;
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  between(min: number, max: number): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Timer {
  after(delayMs: number, callback: () => void): TimerHandle;
}

export const systemClock: Clock = {
  nowMs: () => performance.now(),
  wallMs: () => Date.now(),
};

export const systemTimer: Timer = {
  after(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
};
