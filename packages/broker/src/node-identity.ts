import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@rill/storage';
import { ConfigError } from './config/config-error.js';
import { parseProperties } from './config/properties-file.js';

const metaFile = 'meta.properties';

/**
 * The cluster id a fresh node formats its directories with when cluster.id is not set: in
 * Kafka's form (16 bytes as 22 characters of base64url), derived from the voter list so
 * that every node of one quorum picks the same id without a separate format step.
 */
export function defaultClusterId(voters: readonly string[]): string {
  return createHash('sha256').update(voters.join(',')).digest().subarray(0, 16).toString('base64url');
}

/**
 * Formats every log dir on first start (Kafka's meta.properties: cluster.id, node.id) and
 * checks them on later starts, so a node never serves another node's or cluster's data.
 * Returns the cluster id.
 */
export async function formatOrCheckLogDirs(options: {
  logDirs: readonly string[];
  nodeId: number;
  configuredClusterId: string | null;
  voters: readonly string[];
}): Promise<string> {
  const found = new Map<string, { clusterId: string; nodeId: number }>();
  for (const dir of options.logDirs) {
    await mkdir(dir, { recursive: true });
    const meta = await readMeta(dir);
    if (meta !== null) found.set(dir, meta);
  }
  const clusterIds = new Set([...found.values()].map((m) => m.clusterId));
  if (options.configuredClusterId !== null) clusterIds.add(options.configuredClusterId);
  if (clusterIds.size > 1) {
    throw new ConfigError(`log.dirs belong to different clusters (${[...clusterIds].join(', ')}); point log.dirs at this cluster's data`);
  }
  for (const [dir, meta] of found) {
    if (meta.nodeId !== options.nodeId) {
      throw new ConfigError(`${dir} holds data of node ${meta.nodeId}, but node.id is ${options.nodeId}`);
    }
  }
  const clusterId = [...clusterIds][0] ?? defaultClusterId(options.voters);
  for (const dir of options.logDirs) {
    if (found.has(dir)) continue;
    const text = `# written by rill-server when it formatted this directory\nversion=1\ncluster.id=${clusterId}\nnode.id=${options.nodeId}\n`;
    await writeFileAtomic(join(dir, metaFile), text);
  }
  return clusterId;
}

async function readMeta(dir: string): Promise<{ clusterId: string; nodeId: number } | null> {
  let text: string;
  try {
    text = await readFile(join(dir, metaFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const properties = parseProperties(text);
  const clusterId = properties.get('cluster.id');
  const nodeId = Number(properties.get('node.id'));
  if (clusterId === undefined || !Number.isInteger(nodeId)) {
    throw new ConfigError(`${join(dir, metaFile)} is damaged: it needs cluster.id and node.id`);
  }
  return { clusterId, nodeId };
}
