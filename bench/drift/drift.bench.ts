/**
 * Drift window cost: one window of 100,000 scored events × 10 numeric features (plus the score),
 * evaluated with PSI (from bin counts) and KS (window values against a 10,000-value reference
 * sample), against the baseline of sorting the same 10 × 100,000 values (Float64Array sort).
 *   npx tsx bench/drift/drift.bench.ts
 * Prints one JSON line per measure; the last line of each measure is the result.
 */
import {
  DEFAULT_DRIFT_RULE,
  evaluateWindow,
  mulberry32,
  prepareReferences,
  TumblingWindows,
} from '@streamscore/drift';
import type { DriftReferencesInput, NumericReferenceInput, Observation } from '@streamscore/drift';
import { binCounts, quantileBinEdges } from '@streamscore/drift';

const EVENTS = 100_000;
const FEATURES = 10;
const SAMPLE = 10_000;
const REPEATS = 5;

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function reference(random: () => number, rows: number): NumericReferenceInput {
  const values = Float64Array.from({ length: rows }, () => normal(random));
  const edges = quantileBinEdges(values, 10);
  return {
    kind: 'numeric',
    edges: Array.from(edges),
    proportions: Array.from(binCounts(edges, values), (c) => c / rows),
    sample: Array.from(values.subarray(0, SAMPLE)),
  };
}

const random = mulberry32(42);
const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const references: DriftReferencesInput = {
  features: Object.fromEntries(names.map((n) => [n, reference(random, 50_000)])),
  score: reference(random, 50_000),
};
const prepared = prepareReferences(references, names, 50_000);
const events: Observation[] = Array.from({ length: EVENTS }, (_, r) => {
  const features: Record<string, number> = {};
  for (const n of names) features[n] = normal(random) + 0.1;
  return { eventTime: r, score: random(), features, categories: {} };
});
const columns = names.map((n) => Float64Array.from(events, (e) => e.features[n] ?? 0));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const sortMs: number[] = [];
const ingestMs: number[] = [];
const evalMs: number[] = [];
let bytes = 0;
for (let repeat = 0; repeat < REPEATS; repeat++) {
  let t = performance.now();
  for (const column of columns) Float64Array.from(column).sort();
  sortMs.push(performance.now() - t);

  const windows = new TumblingWindows(prepared, { kind: 'count', events: EVENTS });
  t = performance.now();
  for (const e of events) windows.add(e);
  ingestMs.push(performance.now() - t);
  const [window] = windows.takeClosable();
  if (!window) throw new Error('window did not close');
  bytes = window.byteLength;

  t = performance.now();
  const evaluation = evaluateWindow(window, DEFAULT_DRIFT_RULE);
  evalMs.push(performance.now() - t);
  if (evaluation.features.length !== FEATURES) throw new Error('features missing');
}

const baseline = median(sortMs);
const line = (measure: string, value: number, unit: string, extra: Record<string, number> = {}): void => {
  process.stdout.write(
    `${JSON.stringify({ case: 'drift', measure, value: Number(value.toFixed(3)), unit, ...extra })}\n`,
  );
};
const evaluate = median(evalMs);
line('window_ingest', median(ingestMs), 'ms');
line('window_eval', evaluate, 'ms', {
  baseline: Number(baseline.toFixed(3)),
  ratio: Number((evaluate / baseline).toFixed(3)),
});
line('window_memory', bytes, 'bytes');
