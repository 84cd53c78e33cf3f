#!/usr/bin/env node
// Brings a clean clone to a runnable state with nothing but Node.js 20 and npm: installs the
// workspace with pnpm (through npx; corepack's download fails on the machines we target),
// builds the TypeScript, and with --test-tools installs what the tests drive (kcat, and
// docker-compose, which validates docker-compose.yml; no Docker engine is needed for that).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = '10.34.8';

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`setup: '${command} ${args.join(' ')}' failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

function installIsCurrent() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function ensureKcat() {
  if (hasCommand('kcat')) return;
  if (process.getuid?.() !== 0) {
    console.error('setup: the compatibility tests need kcat. Install it: sudo apt-get install -y kcat');
    process.exit(1);
  }
  console.log('setup: installing kcat from Debian packages');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', 'kcat']);
}

/**
 * Debian's docker-compose, for `docker-compose config` in test/ops. Optional: without it
 * that one check is skipped, with a message saying so.
 */
function ensureDockerCompose() {
  if (hasCommand('docker-compose')) return;
  if (process.getuid?.() !== 0) {
    console.warn('setup: docker-compose is missing, so the compose-file check will be skipped. Install it: sudo apt-get install -y docker-compose');
    return;
  }
  console.log('setup: installing docker-compose from Debian packages (used only to validate docker-compose.yml)');
  const apt = (args) => spawnSync('apt-get', args, { cwd: root, stdio: 'inherit' }).status === 0;
  const install = () => apt(['install', '-y', '-qq', '--no-install-recommends', 'docker-compose']);
  const installed = install() || (apt(['update', '-qq']) && install());
  if (!installed) console.warn('setup: could not install docker-compose; the compose-file check will be skipped.');
}

/**
 * Debian's nats-server, for the NATS JetStream systems that `pnpm bench` measures Rill
 * against. Optional: without it the bench runs Rill alone and says so; no test needs it.
 */
function ensureNatsServer() {
  if (hasCommand('nats-server') || existsSync('/usr/sbin/nats-server')) return;
  if (process.getuid?.() !== 0) {
    console.warn('setup: nats-server is missing, so the bench will skip NATS JetStream. Install it: sudo apt-get install -y nats-server');
    return;
  }
  console.log('setup: installing nats-server from Debian packages (the bench compares Rill with NATS JetStream)');
  const apt = (args) => spawnSync('apt-get', args, { cwd: root, stdio: 'inherit' }).status === 0;
  const install = () => apt(['install', '-y', '-qq', '--no-install-recommends', 'nats-server']);
  const installed = install() || (apt(['update', '-qq']) && install());
  if (!installed) console.warn('setup: could not install nats-server; the bench will skip NATS JetStream.');
}

/**
 * strace, for the chaos suite's fsync-error fault (and iproute2 for its network namespaces,
 * when missing). Optional: without strace that fault is skipped; without `ip` the suite
 * partitions through proxies instead.
 */
function ensureFaultTools() {
  const missing = [['strace', 'strace'], ['ip', 'iproute2']].filter(([command]) => !hasCommand(command)).map(([, pkg]) => pkg);
  if (missing.length === 0 || process.getuid?.() !== 0) return;
  console.log(`setup: installing ${missing.join(' and ')} from Debian packages (faults the chaos suite injects)`);
  const apt = (args) => spawnSync('apt-get', args, { cwd: root, stdio: 'inherit' }).status === 0;
  const install = () => apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  const installed = install() || (apt(['update', '-qq']) && install());
  if (!installed) console.warn(`setup: could not install ${missing.join(' and ')}; the chaos suite will run without them.`);
}

if (!installIsCurrent()) {
  run('npx', ['-y', `pnpm@${pnpmVersion}`, 'install', '--frozen-lockfile']);
}
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
if (process.argv.includes('--test-tools')) {
  ensureKcat();
  ensureDockerCompose();
}
if (process.argv.includes('--test-tools') || process.env.npm_lifecycle_event === 'chaos') ensureFaultTools();
// `pnpm bench` runs this script first: bring what the bench drives too.
if (process.argv.includes('--bench-tools') || process.env.npm_lifecycle_event === 'bench') ensureNatsServer();
