import type { LogConfig } from '@rill/storage';
import type { BrokerConfig } from '../config/broker-config.js';

/** A topic's log settings: its own overrides over the broker's properties. */
export function logConfigFor(config: BrokerConfig, overrides: Readonly<Record<string, string>>): LogConfig {
  const pick = (topicKey: string, brokerKey: string): number => {
    const override = overrides[topicKey];
    return override !== undefined ? Number(override) : config.int(brokerKey);
  };
  return {
    segmentBytes: pick('segment.bytes', 'log.segment.bytes'),
    segmentMs: pick('segment.ms', 'log.roll.ms'),
    retentionMs: pick('retention.ms', 'log.retention.ms'),
    retentionBytes: pick('retention.bytes', 'log.retention.bytes'),
    indexIntervalBytes: pick('index.interval.bytes', 'log.index.interval.bytes'),
    flushIntervalMessages: pick('flush.messages', 'log.flush.interval.messages'),
    flushIntervalMs: pick('flush.ms', 'log.flush.interval.ms'),
  };
}

export function sameLogConfig(a: LogConfig, b: LogConfig): boolean {
  return (Object.keys(a) as (keyof LogConfig)[]).every((key) => a[key] === b[key]);
}

/** The largest batch a producer may send to a topic. */
export function maxMessageBytesFor(config: BrokerConfig, overrides: Readonly<Record<string, string>>): number {
  const override = overrides['max.message.bytes'];
  return override !== undefined ? Number(override) : config.int('message.max.bytes');
}

/** The smallest ISR that accepts acks=all writes to a topic. */
export function minInsyncReplicasFor(config: BrokerConfig, overrides: Readonly<Record<string, string>>): number {
  const override = overrides['min.insync.replicas'];
  return override !== undefined ? Number(override) : config.int('min.insync.replicas');
}
