export { ServerProcess, type ServerProcessOptions } from './server-process.js';
export { freePort } from './free-port.js';
export { waitFor } from './wait-for.js';
export * from './sim/index.js';
