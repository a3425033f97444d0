import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Admin } from 'kafkajs';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createMetricsRegistry, HealthRegistry } from '@streamscore/observability';
import { TransportMonitor } from '@streamscore/platform';

/**
 * Issue #23 item 3: every metric a Grafana panel or an alert rule queries is one the services
 * export. A renamed metric otherwise leaves an empty panel or an alert that can never fire.
 * Apps have no import alias (architecture.spec.ts), so their metric definitions are read from
 * source; what libraries add (default metrics, transport metrics) is built at run time.
 */
const ROOT = resolve(__dirname, '..', '..');
const APPS = join(ROOT, 'apps');
const DASHBOARDS = join(ROOT, 'deploy', 'grafana', 'dashboards');
const ALERTS = join(ROOT, 'deploy', 'prometheus', 'alerts.yml');

/** Series Prometheus writes itself for every scrape target. */
const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
}

const sourceFilesOf = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
    .map((name) => join(dir, name));

/**
 * Metrics an app defines in its *.metrics.ts: each `name: 'x'` (or a helper's first argument
 * `('x', ...)`) takes the type of the nearest prom-client constructor before it.
 */
export function appMetricDefinitions(source: string): MetricDefinition[] {
  const definitions: MetricDefinition[] = [];
  let type: MetricType | undefined;
  for (const match of source.matchAll(
    /new (Counter|Gauge|Histogram|Summary)\b|(?:name:\s*|\(\s*)'([a-z_:][a-z0-9_:]*)'/g,
  )) {
    if (match[1] !== undefined) type = match[1].toLowerCase() as MetricType;
    else if (match[2] !== undefined && type !== undefined) definitions.push({ name: match[2], type });
  }
  return definitions;
}

/** Each app's `metricsPrefix: IDENT` (its transport metrics), resolved to IDENT's string constant. */
function transportPrefixes(): string[] {
  const prefixes: string[] = [];
  for (const app of readdirSync(APPS)) {
    const files = sourceFilesOf(join(APPS, app, 'src')).map((file) => readFileSync(file, 'utf8'));
    for (const [, ident] of files.join('\n').matchAll(/metricsPrefix:\s*([A-Za-z_]\w*)/g)) {
      const constant = new RegExp(`const ${ident ?? ''}\\s*=\\s*'([^']+)'`);
      const value = files.map((text) => constant.exec(text)?.[1]).find((v) => v !== undefined);
      if (value === undefined)
        throw new Error(`apps/${app}: metricsPrefix ${ident ?? ''} is not a string constant`);
      prefixes.push(value);
    }
  }
  return prefixes;
}

/** prom-client's registry output for what libraries define: default and transport metrics. */
async function libraryDefinitions(prefixes: readonly string[]): Promise<MetricDefinition[]> {
  const registries: Registry[] = [createMetricsRegistry('any')];
  for (const metricsPrefix of prefixes) {
    const registry = new Registry();
    // Never started: only its metric definitions are wanted.
    new TransportMonitor({
      registry,
      metricsPrefix,
      admin: {} as Admin,
      groupId: 'unused',
      topics: [],
      health: new HealthRegistry(),
    });
    registries.push(registry);
  }
  const metrics = await Promise.all(registries.map((registry) => registry.getMetricsAsJSON()));
  return metrics.flat().map((metric) => ({ name: metric.name, type: String(metric.type) as MetricType }));
}

/** Series names as scraped: histograms and summaries expand into their sample series. */
function seriesNames(definitions: readonly MetricDefinition[]): Set<string> {
  const names = new Set<string>(PROMETHEUS_SERIES);
  for (const { name, type } of definitions) {
    const suffixes =
      type === 'histogram'
        ? ['_bucket', '_sum', '_count']
        : type === 'summary'
          ? ['', '_sum', '_count']
          : [''];
    for (const suffix of suffixes) names.add(name + suffix);
  }
  return names;
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * Metric names of a PromQL expression: what is left once strings, label matchers, ranges,
 * grouping label lists, Grafana variables and function calls are taken out.
 */
export function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)) {
    const name = match[1] ?? '';
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** Every `expr` of a dashboard (panel targets, nested rows), with where it is. */
function dashboardExpressions(): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node))
      node.forEach((child, i) => {
        walk(child, `${where}[${i}]`);
      });
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'expr' && typeof value === 'string') found.push({ where, expr: value });
        else walk(value, `${where}.${key}`);
      }
    }
  };
  for (const file of readdirSync(DASHBOARDS).filter((name) => name.endsWith('.json'))) {
    walk(JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')), file);
  }
  return found;
}

interface RuleFile {
  readonly groups: {
    readonly rules: { readonly alert?: string; readonly record?: string; readonly expr: string }[];
  }[];
}

function alertExpressions(): { where: string; expr: string }[] {
  const rules = parse(readFileSync(ALERTS, 'utf8')) as RuleFile;
  return rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `alerts.yml ${rule.alert ?? rule.record ?? '?'}`, expr: rule.expr })),
  );
}

describe('metric names queried by the deployment', () => {
  let exported: Set<string>;
  const metricFiles = readdirSync(APPS).flatMap((app) =>
    sourceFilesOf(join(APPS, app, 'src')).filter((file) => file.endsWith('.metrics.ts')),
  );

  beforeAll(async () => {
    const appDefinitions = metricFiles.flatMap((file) => appMetricDefinitions(readFileSync(file, 'utf8')));
    exported = seriesNames([...appDefinitions, ...(await libraryDefinitions(transportPrefixes()))]);
  });

  it('should read the names out of PromQL, leaving labels, functions and keywords out', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.99, sum by (le, stage) (rate(a_seconds_bucket{stage!="x"}[5m]))) / ' +
          'clamp_min(sum(rate(b_total[$__rate_interval] offset 1h)) or vector(0), 1e-9) > 0.5 and on() c',
      ),
    ).toEqual(['a_seconds_bucket', 'b_total', 'c']);
  });

  it('should find a definition for every prom-client constructor of each app’s metrics file', () => {
    expect(metricFiles.length).toBeGreaterThanOrEqual(4);
    for (const file of metricFiles) {
      const source = readFileSync(file, 'utf8');
      const constructors = source.match(/new (Counter|Gauge|Histogram|Summary)\b/g) ?? [];
      expect(constructors.length).toBeGreaterThan(0);
      expect(appMetricDefinitions(source).length).toBeGreaterThanOrEqual(constructors.length);
    }
    expect(
      appMetricDefinitions(
        "const g = (name: string) => new Gauge({ name, help: 'h' }); g('a_psi');\n" +
          "new Histogram({ name: 'b_seconds', labelNames: ['stage'] });",
      ),
    ).toEqual([
      { name: 'a_psi', type: 'gauge' },
      { name: 'b_seconds', type: 'histogram' },
    ]);
  });

  it('should know the services’ own, transport, histogram and default metrics', () => {
    for (const name of [
      'ingestion_records_in_total',
      'inference_consumer_lag',
      'drift_retries_total',
      'features_read_seconds_bucket',
      'drift_psi',
      'inference_event_loop_delay_seconds',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(exported).toContain(name);
    }
    expect(exported).not.toContain('inference_stage_seconds');
  });

  it.each([
    ['Grafana dashboard', dashboardExpressions],
    ['alert rule', alertExpressions],
  ] as const)('should query only exported metrics in every %s', (_what, expressionsOf) => {
    const expressions = expressionsOf();
    expect(expressions.length).toBeGreaterThan(0);
    const unknown = expressions.flatMap(({ where, expr }) =>
      metricNamesOf(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
