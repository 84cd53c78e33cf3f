export { assert, unreachable, AssertionFailure } from './assert.js';
export * from './ids.js';
export type { Clock, Random, Timer, TimerHandle } from './ports.js';
export { systemClock, systemTimer } from './ports.js';
export { SeededRandom } from './seeded-random.js';
