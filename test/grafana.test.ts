// Every metric a Grafana panel or alert rule queries must be one the code emits: the PromQL names
// are checked against shared/metrics.ts mapped the way OTLP → Prometheus maps them
// (dots → underscores, unit suffix, `_total` for counters, `_bucket`/`_sum`/`_count` for histograms).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { METRICS, prometheusName, type MetricName } from '../shared/metrics.ts';

const root = new URL('../deployment/grafana/', import.meta.url);
const LABELS = new Set(['provider', 'dataset', 'topic', 'subscription', 'status', 'outcome', 'stream', 'le', 'job', 'instance', 'service_name', 'rule', 'check', 'zone']);

/** Prometheus series names the code produces. */
function emitted(): Set<string> {
  const names = new Set<string>();
  for (const n of Object.keys(METRICS) as MetricName[]) {
    const p = prometheusName(n);
    if (METRICS[n].kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(p + s);
    else names.add(p);
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers outside label matchers and strings, that name series. */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const withoutGroupings = bare.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const idents = withoutGroupings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  // Function names are followed by "("; keywords and operators are not metric names.
  const keywords = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'deriv', 'histogram_quantile', 'and', 'or', 'unless', 'offset', 'bool', 'topk', 'bottomk', 'abs', 'clamp_min', 'clamp_max']);
  return idents.filter((i) => !keywords.has(i) && !/^\d/.test(i));
}

function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
}

const Target = z.object({ expr: z.string().optional(), datasource: z.object({ uid: z.string() }).optional() }).loose();
const Dashboard = z.object({ uid: z.string(), title: z.string(), panels: z.array(z.object({ title: z.string(), targets: z.array(Target) }).loose()) }).loose();
const Alerts = z.object({
  groups: z.array(z.object({ rules: z.array(z.object({ uid: z.string(), title: z.string(), data: z.array(z.object({ datasourceUid: z.string(), model: z.object({ expr: z.string().optional() }).loose() })) })) })),
});

/** [where, PromQL] for every Prometheus query of every dashboard and alert rule. */
function queries(): [string, string][] {
  const out: [string, string][] = [];
  for (const file of readdirSync(new URL('dashboards/', root)).filter((f) => f.endsWith('.json'))) {
    const d = Dashboard.parse(JSON.parse(readFileSync(new URL(`dashboards/${file}`, root), 'utf8')));
    for (const p of d.panels) for (const t of p.targets) if (t.expr && t.datasource?.uid === 'prometheus') out.push([`${file}: ${p.title}`, t.expr]);
  }
  const alerts = Alerts.parse(parseYaml(readFileSync(new URL('provisioning/alerting/scalar-alerts.yaml', root), 'utf8')));
  for (const g of alerts.groups) for (const r of g.rules) for (const q of r.data) if (q.datasourceUid === 'prometheus' && q.model.expr) out.push([`alert ${r.title}`, q.model.expr]);
  return out;
}

describe('Grafana dashboards and alert rules', () => {
  const all = queries();

  it('cover the pipeline, the providers, freshness, and the four alerts', () => {
    const files = readdirSync(new URL('dashboards/', root)).sort();
    assert.deepEqual(files, ['data-freshness.json', 'pipeline-overview.json', 'provider-connectivity.json']);
    // The four pipeline alerts, and one per feature that adds its own (reconciliation: providers disagree).
    assert.ok(all.filter(([w]) => w.startsWith('alert ')).length >= 5);
    assert.ok(all.some(([w]) => w === 'alert Providers disagree'));
  });

  it('query only metrics the code emits, by the labels it sets', () => {
    const known = emitted();
    for (const [where, expr] of all) {
      const names = metricNames(expr);
      assert.ok(names.length > 0, `${where}: no metric in ${expr}`);
      for (const n of names) assert.ok(known.has(n), `${where}: ${n} is not emitted (known: ${[...known].join(', ')})`);
      for (const l of groupingLabels(expr)) assert.ok(LABELS.has(l), `${where}: label ${l} is never set`);
    }
  });

  it('finds the names in PromQL, not the labels, strings or functions around them', () => {
    assert.deepEqual(metricNames('sum by (dataset) (rate(scalar_ingest_rows_total{outcome="ok", x=~"a b"}[5m])) / scalar_bus_backlog'), ['scalar_ingest_rows_total', 'scalar_bus_backlog']);
    assert.deepEqual(metricNames('histogram_quantile(0.95, sum by (le) (rate(scalar_fetch_duration_seconds_bucket[5m])))'), ['scalar_fetch_duration_seconds_bucket']);
  });

  it('maps OTel names as Prometheus does', () => {
    assert.equal(prometheusName('scalar.fetch.duration'), 'scalar_fetch_duration_seconds');
    assert.equal(prometheusName('scalar.fetch.bytes'), 'scalar_fetch_bytes_total');
    assert.equal(prometheusName('scalar.ingest.rows'), 'scalar_ingest_rows_total');
    assert.equal(prometheusName('scalar.dataset.freshness.limit'), 'scalar_dataset_freshness_limit_seconds');
    assert.equal(prometheusName('scalar.bus.backlog'), 'scalar_bus_backlog');
  });
});
