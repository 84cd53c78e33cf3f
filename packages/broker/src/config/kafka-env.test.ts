import { describe, expect, it } from 'vitest';
import { kafkaEnvKey } from './kafka-env.js';
import { loadConfig } from './load-config.js';

describe('kafkaEnvKey', () => {
  it('follows the apache/kafka image: _ is a dot, __ an underscore, ___ a dash', () => {
    expect(kafkaEnvKey('KAFKA_NODE_ID')).toBe('node.id');
    expect(kafkaEnvKey('KAFKA_CONTROLLER_QUORUM_VOTERS')).toBe('controller.quorum.voters');
    expect(kafkaEnvKey('KAFKA_LISTENER_NAME_EXTERNAL__X')).toBe('listener.name.external_x');
    expect(kafkaEnvKey('KAFKA_A___B')).toBe('a-b');
    expect(kafkaEnvKey('KAFKA_A____B')).toBeNull();
  });

  it('follows bitnami/kafka for KAFKA_CFG_*', () => {
    expect(kafkaEnvKey('KAFKA_CFG_NODE_ID')).toBe('node.id');
    expect(kafkaEnvKey('KAFKA_CFG_AUTO_CREATE_TOPICS_ENABLE')).toBe('auto.create.topics.enable');
  });

  it('leaves alone what is not a property', () => {
    for (const name of ['KAFKA_HOME', 'KAFKA_HEAP_OPTS', 'KAFKA_OPTS', 'KAFKA_', 'RILL_NODE_ID', 'PATH', 'KAFKA_node_id']) {
      expect(kafkaEnvKey(name), name).toBeNull();
    }
  });
});

describe('loadConfig with the KAFKA_* spelling', () => {
  const kafkaCompose = {
    KAFKA_NODE_ID: '2',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: 'PLAINTEXT://:9092,EXTERNAL://:29092',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT',
    KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka-2:9092,EXTERNAL://localhost:29092',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093',
    KAFKA_LOG_DIRS: '/var/lib/kafka/data',
  };

  it('reads the properties an apache/kafka compose file sets', () => {
    const config = loadConfig({ env: kafkaCompose });
    expect(config.int('node.id')).toBe(2);
    expect(config.list('process.roles')).toEqual(['broker', 'controller']);
    expect(config.list('listeners')).toEqual(['PLAINTEXT://:9092', 'EXTERNAL://:29092']);
    expect(config.list('advertised.listeners')).toEqual(['PLAINTEXT://kafka-2:9092', 'EXTERNAL://localhost:29092']);
    expect(config.list('controller.quorum.voters')).toHaveLength(3);
    expect(config.list('log.dirs')).toEqual(['/var/lib/kafka/data']);
    expect(config.source('node.id')).toBe('env');
  });

  it('ranks above the file and below RILL_* and --set', () => {
    const config = loadConfig({
      file: { path: 'node.properties', text: 'num.partitions=2\nmin.insync.replicas=2\nlog.dirs=/file' },
      env: { KAFKA_NUM_PARTITIONS: '3', KAFKA_LOG_DIRS: '/kafka', RILL_LOG_DIRS: '/rill', KAFKA_CFG_DEFAULT_REPLICATION_FACTOR: '3', KAFKA_DEFAULT_REPLICATION_FACTOR: '1' },
      flags: ['num.partitions=6'],
    });
    expect(config.int('min.insync.replicas')).toBe(2);
    expect(config.int('num.partitions')).toBe(6);
    expect(config.list('log.dirs')).toEqual(['/rill']);
    expect(config.int('default.replication.factor')).toBe(3);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ env: { KAFKA_NUM_PARTITIONS: 'six' } })).toThrow(/num\.partitions=six \(from KAFKA_NUM_PARTITIONS\)/);
  });

  it('skips a KAFKA_* variable that names no property of ours, and says so', () => {
    const ignored: string[] = [];
    const config = loadConfig({
      env: { ...kafkaCompose, KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER', KAFKA_HOME: '/opt/kafka' },
      onIgnoredEnv: (variable, key) => ignored.push(`${variable}=${key}`),
    });
    expect(config.int('node.id')).toBe(2);
    expect(ignored).toEqual(['KAFKA_CONTROLLER_LISTENER_NAMES=controller.listener.names']);
  });
});
