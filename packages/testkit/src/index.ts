export { ServerProcess, type ServerProcessOptions } from './server-process.js';
export { freePort } from './free-port.js';
export { waitFor } from './wait-for.js';
export { Cluster, type ClusterOptions } from './cluster.js';
export * from './sim/index.js';
