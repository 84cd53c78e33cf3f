import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ServerProcess, freePort } from '@rill/testkit';
import { readRepoFile, repoRoot } from './compose.js';

const run = promisify(execFile);

/** Words of PromQL that look like metric names but are not. */
const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/** Series Prometheus makes itself rather than scraping them. */
const synthetic = new Set(['up']);

/** The metric names a PromQL expression reads (no full parser: enough for our queries). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names: string[] = [];
  for (const match of stripped.matchAll(/(?<![\w.:$])[a-zA-Z_:][\w:]*/g)) {
    const rest = stripped.slice(match.index + match[0].length);
    if (/^\s*\(/.test(rest) || keywords.has(match[0].toLowerCase())) continue;
    names.push(match[0]);
  }
  return names;
}

/** Every query of the Grafana dashboard: panel targets and template variables. */
function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/rill.json')) as {
    panels: { targets?: { expr: string }[] }[];
    templating: { list: { definition: string }[] };
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const variables = dashboard.templating.list.map((v) => v.definition.replace(/^label_values\(([^,]+),.*$/, '$1'));
  return [...exprs, ...variables];
}

function alertExpressions(): string[] {
  const rules = parse(readRepoFile('deploy/prometheus-alerts.yml')) as { groups: { rules: { expr: string }[] }[] };
  return rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

/** Names a /metrics page exports, with the _bucket/_sum/_count series of histograms and summaries. */
function exportedNames(page: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('metric names in the dashboard and the alert rules', () => {
  let server: ServerProcess;
  let page: string;

  beforeAll(async () => {
    server = await ServerProcess.start();
    const producer = new Kafka({ brokers: [server.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 'dashboard', acks: -1, messages: [{ value: 'one' }] });
    await producer.disconnect();
    page = await server.metrics();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('reads the names out of PromQL', () => {
    expect(metricNamesIn('sum by (le, api) (rate(a_bucket{api="Produce",instance=~"$instance"}[$__rate_interval]))')).toEqual(['a_bucket']);
    expect(metricNamesIn('up{job="rill"} == 0 and on (topology) (max by (topology) (up) == 1)')).toEqual(['up', 'up']);
    expect(metricNamesIn('histogram_quantile(0.99, x_bucket) > 0.5 or y offset 5m')).toEqual(['x_bucket', 'y']);
  });

  it.each([
    ['deploy/grafana/dashboards/rill.json', dashboardQueries],
    ['deploy/prometheus-alerts.yml', alertExpressions],
  ])('%s queries only metrics a running node exports', (_, queries) => {
    const exported = exportedNames(page);
    const used = new Set(queries().flatMap(metricNamesIn));
    expect(used.size).toBeGreaterThan(5);
    const missing = [...used].filter((name) => !exported.has(name) && !synthetic.has(name));
    expect(missing).toEqual([]);
  });

  it('exports the Kafka-compatible aliases and the build and process metrics', () => {
    const exported = exportedNames(page);
    for (const name of [
      'kafka_server_brokertopicmetrics_bytesin_total', 'kafka_server_replicamanager_underreplicatedpartitions',
      'kafka_controller_kafkacontroller_activecontrollercount', 'kafka_controller_kafkacontroller_offlinepartitionscount',
      'kafka_consumergroup_lag', 'rill_build_info', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(exported.has(name), name).toBe(true);
    }
    expect(page).toMatch(/^kafka_server_brokertopicmetrics_bytesin_total\{topic="dashboard"\} [1-9]/m);
    expect(page).toMatch(/^kafka_controller_kafkacontroller_activecontrollercount 1$/m);
  });

  it('every rill_ metric a node exports is named in the README (add it there when you add a metric)', () => {
    const readme = readRepoFile('README.md');
    const section = readme.slice(readme.indexOf('## Metrics and health'), readme.indexOf('\n## ', readme.indexOf('## Metrics and health') + 1));
    const families = [...page.matchAll(/^# TYPE (rill_\w+) /gm)].map((m) => m[1]!);
    expect(families.length).toBeGreaterThan(20);
    expect(families.filter((name) => !new RegExp(`\`${name}[{\`]`).test(section))).toEqual([]);
  });

  it('the image health check passes on a ready node and fails where nothing listens', async () => {
    const check = (listener: string) =>
      run(process.execPath, [`${repoRoot}deploy/healthcheck.mjs`], { env: { PATH: process.env['PATH'] ?? '', RILL_HTTP_LISTENER: listener } })
        .then(() => 0, (error: { code: number }) => error.code);
    expect(await check(`0.0.0.0:${server.httpPort}`)).toBe(0);
    expect(await check(`127.0.0.1:${await freePort()}`)).toBe(1);
  });
});
