import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, type BrokerConfig } from '@rill/broker';
import { loadCompose, readRepoFile, repoRoot, rillProfiles, rillServices, type RillService } from './compose.js';

// Checks of docker-compose.yml and deploy/ that need no Docker engine (CI has none).

const hasDockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

function hostPort(text: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(text)!;
  return { host: match[1]!, port: Number(match[2]) };
}

function listenerPorts(config: BrokerConfig, property: 'listeners' | 'advertised.listeners'): Map<string, { host: string; port: number }> {
  return new Map(
    config.list(property).map((l) => {
      const [name, address] = l.split('://') as [string, string];
      return [name, hostPort(address)];
    }),
  );
}

/** The image's defaults, which rill-server reads with --config in every container. */
const imageDefaults = { path: 'deploy/server.properties', text: readRepoFile('deploy/server.properties') };

/** The configuration a node's container starts with: the image's defaults, then its environment. */
function configOf(service: RillService): BrokerConfig {
  const ignored: string[] = [];
  const config = loadConfig({ file: imageDefaults, env: service.env, onIgnoredEnv: (variable) => ignored.push(variable) });
  expect(ignored, `${service.name}: variables rill-server would skip`).toEqual([]);
  return config;
}

describe('docker-compose.yml', () => {
  const validateTitle = hasDockerCompose
    ? 'validates with docker-compose config, in every profile'
    : "validates with docker-compose config — SKIPPED: docker-compose is not installed (npm test installs Debian's package when run as root)";
  it.skipIf(!hasDockerCompose)(validateTitle, () => {
    for (const profile of rillProfiles()) {
      const result = spawnSync('docker-compose', ['--profile', profile, 'config', '-q'], {
        cwd: repoRoot, encoding: 'utf8', env: { ...process.env, COMPOSE_PROFILES: profile },
      });
      expect(result.stderr, `docker-compose --profile ${profile} config`).toBe('');
      expect(result.status).toBe(0);
    }
  });

  it('has a combined profile (the default, from .env) and a split one', () => {
    expect(rillProfiles().sort()).toEqual(['combined', 'split']);
    expect(readRepoFile('.env')).toMatch(/^COMPOSE_PROFILES=combined$/m);
    const names = (profile: string): string[] => rillServices().filter((s) => s.profile === profile).map((s) => s.name);
    expect(names('combined')).toEqual(['node1', 'node2', 'node3']);
    expect(names('split')).toEqual(['controller1', 'controller2', 'controller3', 'broker1', 'broker2', 'broker3']);
  });

  it.each(rillServices().map((s) => [s.name, s] as const))('%s: its environment is a valid rill-server configuration', (_, service) => {
    const config = configOf(service);
    expect(config.list('log.dirs')[0]).toMatch(/^\/var\/lib\/rill\//);
    const internal = hostPort(config.string('internal.listener'));
    expect(config.optionalString('internal.advertised.listener')).toBe(`${service.hostname}:${internal.port}`);
    expect(service.volumes).toEqual([`${service.name}-data:/var/lib/rill`]);
  });

  it.each(rillProfiles())('%s: the nodes form one quorum that every node names the same way', (profile) => {
    const services = rillServices().filter((s) => s.profile === profile);
    const configs = new Map(services.map((s) => [s.name, configOf(s)]));
    const voters = configs.get(services[0]!.name)!.list('controller.quorum.voters');
    const ids = services.map((s) => configs.get(s.name)!.int('node.id'));
    expect(new Set(ids).size).toBe(services.length);
    for (const service of services) {
      const config = configs.get(service.name)!;
      expect(config.list('controller.quorum.voters'), service.name).toEqual(voters);
      if (config.list('process.roles').includes('controller')) {
        const internal = hostPort(config.string('internal.listener'));
        expect(voters).toContain(`${config.int('node.id')}@${service.hostname}:${internal.port}`);
      }
    }
    const controllers = services.filter((s) => configs.get(s.name)!.list('process.roles').includes('controller'));
    expect(controllers).toHaveLength(voters.length);
  });

  it.each(rillProfiles())('%s: each broker advertises its service name inside and localhost:19092/29092/39092 outside', (profile) => {
    const brokers = rillServices().filter((s) => s.profile === profile && configOf(s).list('process.roles').includes('broker'));
    const external: number[] = [];
    for (const service of brokers) {
      const config = configOf(service);
      const bound = listenerPorts(config, 'listeners');
      const advertised = listenerPorts(config, 'advertised.listeners');
      expect([...bound.keys()].sort()).toEqual(['EXTERNAL', 'PLAINTEXT']);
      expect(advertised.get('PLAINTEXT')).toEqual({ host: service.hostname, port: bound.get('PLAINTEXT')!.port });
      const outside = advertised.get('EXTERNAL')!;
      expect(outside.host).toBe('localhost');
      expect(service.ports.get(bound.get('EXTERNAL')!.port), `${service.name} publishes its EXTERNAL listener`).toBe(outside.port);
      expect(service.ports.has(bound.get('PLAINTEXT')!.port), `${service.name} keeps PLAINTEXT inside`).toBe(false);
      external.push(outside.port);
    }
    expect(external).toEqual([19092, 29092, 39092]);
  });

  it('declares a volume for every node and no host port twice within a profile', () => {
    const compose = loadCompose();
    for (const service of rillServices()) expect(Object.keys(compose.volumes ?? {})).toContain(`${service.name}-data`);
    for (const profile of rillProfiles()) {
      const published = rillServices().filter((s) => s.profile === profile).flatMap((s) => [...s.ports.values()]);
      expect(new Set(published).size, profile).toBe(published.length);
    }
  });
});

describe('deploy/prometheus.yml', () => {
  const prometheus = parse(readRepoFile('deploy/prometheus.yml')) as {
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: { topology: string } }[] }[];
  };

  it('scrapes the http.listener of every node of both profiles, labelled with its profile', () => {
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'rill')!;
    const scraped = job.static_configs.flatMap((group) => group.targets.map((t) => `${group.labels.topology}/${t}`)).sort();
    const nodes = rillServices().map((s) => `${s.profile}/${s.hostname}:${hostPort(configOf(s).string('http.listener')).port}`).sort();
    expect(scraped).toEqual(nodes);
  });

  it('loads the alert rules that docker-compose.yml mounts', () => {
    const prometheusService = loadCompose().services['prometheus']!;
    for (const file of prometheus.rule_files) {
      const mount = prometheusService.volumes!.find((v) => v.split(':')[1] === file);
      expect(mount, `${file} is mounted`).toBeDefined();
      expect(() => readRepoFile(mount!.split(':')[0]!.replace(/^\.\//, ''))).not.toThrow();
    }
  });
});

describe('deploy/grafana', () => {
  it('provisions the Prometheus data source the dashboard uses and the folder compose mounts', () => {
    const datasources = parse(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    const providers = parse(readRepoFile('deploy/grafana/provisioning/dashboards/rill.yml')) as { providers: { options: { path: string } }[] };
    const dashboard = readRepoFile('deploy/grafana/dashboards/rill.json');
    const uids = new Set([...dashboard.matchAll(/"uid": "([^"]+)"/g)].map((m) => m[1]).filter((uid) => uid !== 'rill-cluster'));
    expect([...uids]).toEqual([datasources.datasources[0]!.uid]);
    expect(datasources.datasources[0]!.url).toBe('http://prometheus:9090');
    const grafana = loadCompose().services['grafana']!;
    expect(grafana.volumes).toContain(`./deploy/grafana/dashboards:${providers.providers[0]!.options.path}:ro`);
    expect(grafana.volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readRepoFile('deploy/Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('runs rill-server as an unprivileged user, behind an init that forwards SIGTERM, with a health check on /readyz', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "rill-server", "--config", "\/opt\/rill\/config\/server.properties"\]$/m);
    expect(runtime).toContain(`COPY ${imageDefaults.path} /opt/rill/config/server.properties`);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "\/opt\/rill\/healthcheck.mjs"\]$/m);
    expect(readRepoFile('deploy/healthcheck.mjs')).toContain('/readyz');
  });

  it('has defaults that make a valid configuration, on the ports it exposes, with the data in its volume', () => {
    const config = loadConfig({ file: imageDefaults });
    const exposed = /^EXPOSE (.*)$/m.exec(runtime)![1]!.split(' ').map(Number);
    expect(exposed).toEqual([
      listenerPorts(config, 'listeners').get('PLAINTEXT')!.port,
      hostPort(config.string('internal.listener')).port,
      hostPort(config.string('http.listener')).port,
    ]);
    expect(runtime).toContain(`VOLUME ["${config.list('log.dirs')[0]!.replace(/\/data$/, '')}"]`);
    // A RILL_* default in the image would beat the KAFKA_* spelling a user sets.
    expect(runtime).not.toMatch(/^ENV .*RILL_/m);
  });

  it('installs the pnpm the repository pins, and copies only files the build context keeps', () => {
    const pinned = (JSON.parse(readRepoFile('package.json')) as { packageManager: string }).packageManager;
    expect(dockerfile).toContain(`npm install -g ${pinned}`);
    const ignored = readRepoFile('.dockerignore').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm)) {
      if (source === '.') continue;
      expect(() => readRepoFile(source!), source).not.toThrow();
      expect(ignored.some((pattern) => source!.startsWith(pattern.replace('**/', ''))), source).toBe(false);
    }
    // The runtime loads the gRPC contracts from proto/ beside packages/.
    expect(runtime).toContain('COPY --from=build /src/proto ./proto');
  });
});
