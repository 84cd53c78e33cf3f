import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** DESIGN §2: which workspace package may import which. testkit only from tests. */
const allowed: Readonly<Record<string, readonly string[]>> = {
  base: [],
  protocol: ['base'],
  storage: ['base', 'protocol'],
  'controller-quorum': ['base', 'protocol'],
  replication: ['base', 'storage', 'protocol'],
  broker: ['base', 'protocol', 'storage', 'controller-quorum', 'replication'],
  client: ['base', 'protocol'],
  testkit: ['base'],
};

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
}

const packages = readdirSync(packagesDir).filter((name) => statSync(join(packagesDir, name)).isDirectory());

describe('package dependency edges', () => {
  it.each(packages)('%s imports only what DESIGN §2 allows', (name) => {
    expect(Object.keys(allowed)).toContain(name);
    const problems: string[] = [];
    for (const file of sourceFiles(join(packagesDir, name, 'src'))) {
      const isTest = file.endsWith('.test.ts') || file.includes('/testing/') || file.includes('/test-helpers/');
      for (const specifier of importsOf(file)) {
        const where = relative(packagesDir, file);
        if (/^\.\.?\//.test(specifier) && specifier.includes('/src/')) problems.push(`${where}: reaches into src/ via ${specifier}`);
        const match = /^@rill\/([^/]+)(\/.*)?$/.exec(specifier);
        if (!match) continue;
        const [, target, subpath] = match;
        if (subpath) problems.push(`${where}: imports ${specifier}; use the package's index`);
        const ok = allowed[name]!.includes(target!) || (isTest && target === 'testkit');
        if (!ok) problems.push(`${where}: ${name} may not import @rill/${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(packages)('%s declares testkit only as a devDependency', (name) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@rill/testkit');
  });
});
