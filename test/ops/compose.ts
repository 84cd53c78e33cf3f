import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root, for the files under test. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function readRepoFile(path: string): string {
  return readFileSync(`${repoRoot}${path}`, 'utf8');
}

/** One rill-server service of docker-compose.yml, as the compose file states it. */
export interface RillService {
  readonly name: string;
  readonly profile: string;
  readonly hostname: string;
  /** Its environment, values as strings (as the container sees them). */
  readonly env: Readonly<Record<string, string>>;
  /** Published ports, container port → host port. */
  readonly ports: ReadonlyMap<number, number>;
  readonly volumes: readonly string[];
}

interface ComposeService {
  image?: string;
  profiles?: string[];
  hostname?: string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** docker-compose.yml, with YAML merge keys (`<<: *anchor`) applied as compose does. */
export function loadCompose(): ComposeFile {
  return parse(readRepoFile('docker-compose.yml'), { merge: true }) as ComposeFile;
}

export const rillImage = 'rill:local';

export function rillServices(compose: ComposeFile = loadCompose()): RillService[] {
  return Object.entries(compose.services)
    .filter(([, service]) => service.image === rillImage)
    .map(([name, service]) => ({
      name,
      profile: service.profiles?.[0] ?? '',
      hostname: service.hostname ?? name,
      env: Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)])),
      ports: new Map(
        (service.ports ?? []).map((mapping) => {
          const [host, container] = mapping.split(':').map(Number) as [number, number];
          return [container, host];
        }),
      ),
      volumes: service.volumes ?? [],
    }));
}

/** The compose profiles that hold rill-server services, e.g. combined and split. */
export function rillProfiles(): string[] {
  return [...new Set(rillServices().map((s) => s.profile))];
}
