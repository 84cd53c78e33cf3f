import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { parseProperties } from './properties-file.js';

describe('parseProperties', () => {
  it('reads key=value and key: value, skips comments, joins continuations', () => {
    const parsed = parseProperties('# comment\n! also\nnode.id=3\nlog.dirs : /a,\\\n  /b\n\n');
    expect(parsed.get('node.id')).toBe('3');
    expect(parsed.get('log.dirs')).toBe('/a,/b');
    expect(parsed.size).toBe(2);
  });
});

describe('loadConfig', () => {
  it('applies Kafka defaults', () => {
    const config = loadConfig({});
    expect(config.int('num.partitions')).toBe(1);
    expect(config.int('message.max.bytes')).toBe(1048588);
    expect(config.int('socket.request.max.bytes')).toBe(104857600);
    expect(config.bool('auto.create.topics.enable')).toBe(true);
    expect(config.list('process.roles')).toEqual(['broker', 'controller']);
  });

  it('lets the environment override the file and flags override both', () => {
    const config = loadConfig({
      file: { path: 'node.properties', text: 'num.partitions=2\nlog.dirs=/file\nnode.id=1' },
      env: { RILL_NUM_PARTITIONS: '4', RILL_LOG_DIRS: '/env', PATH: '/bin' },
      flags: ['log.dirs=/flag'],
    });
    expect(config.int('num.partitions')).toBe(4);
    expect(config.list('log.dirs')).toEqual(['/flag']);
    expect(config.source('log.dirs')).toBe('flag');
    expect(config.source('num.partitions')).toBe('env');
  });

  it('names an unknown key and where it came from', () => {
    expect(() => loadConfig({ flags: ['log.dir.typo=1'] })).toThrow(/unknown property 'log.dir.typo'.*--set/);
    expect(() => loadConfig({ env: { RILL_NUM_PARTITONS: '3' } })).toThrow(/RILL_NUM_PARTITONS/);
    expect(() => loadConfig({ file: { path: 'x.properties', text: 'bogus=1' } })).toThrow(/x\.properties/);
  });

  it('names a bad value', () => {
    expect(() => loadConfig({ flags: ['num.partitions=zero'] })).toThrow(ConfigError);
    expect(() => loadConfig({ flags: ['num.partitions=0'] })).toThrow(/num.partitions=0.*at least 1/);
    expect(() => loadConfig({ flags: ['auto.create.topics.enable=yes'] })).toThrow(/true or false/);
    expect(() => loadConfig({ flags: ['process.roles=broker,janitor'] })).toThrow(/janitor/);
    expect(() => loadConfig({ flags: ['listeners=localhost:9092'] })).toThrow(/NAME:\/\/host:port/);
    expect(() => loadConfig({ flags: ['listeners=SSL://:9093'] })).toThrow(/listener.security.protocol.map/);
  });

  it('requires a controller to be one of the voters', () => {
    expect(() => loadConfig({ flags: ['node.id=7'] })).toThrow(/node.id=7.*controller.quorum.voters/);
    expect(loadConfig({ flags: ['node.id=7', 'process.roles=broker'] }).int('node.id')).toBe(7);
  });
});
