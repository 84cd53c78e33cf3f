export { Log } from './log.js';
export type { AppendInfo, LogOpenOptions, LogReadOptions, ReadResult } from './log.js';
export type { RecoveryReport } from './log-loader.js';
export { defaultLogConfig, validateLogConfig } from './config.js';
export type { LogConfig } from './config.js';
export { StorageError } from './errors.js';
export type { StorageErrorCode } from './errors.js';
export { writeFileAtomic } from './file-io.js';
