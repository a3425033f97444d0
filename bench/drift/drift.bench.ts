/**
 * Drift window cost: one window of 100,000 scored events × 10 numeric features (plus the score),
 * evaluated with PSI (from bin counts) and KS (window values against a 10,000-value reference
 * sample), against the baseline of sorting the same 10 × 100,000 values (Float64Array sort).
 *   npx tsx bench/drift/drift.bench.ts
 * Prints one JSON line per measure; the last line of each measure is the result. Before them, the
 * counts of what was computed (windows, events and values evaluated, sorted values), checked: the
 * bench fails when one is not what the inputs make it.
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
import { assertCounts, expectCount } from '../common/bench-kit';

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
// What the repeats produced, summed: checked against what the inputs make it after the loop.
const produced = {
  sorted: 0,
  windows: 0,
  judged: 0,
  events: 0,
  features: 0,
  featureValues: 0,
  scoreValues: 0,
};
for (let repeat = 0; repeat < REPEATS; repeat++) {
  let t = performance.now();
  const sorted = columns.map((column) => Float64Array.from(column).sort());
  sortMs.push(performance.now() - t);
  produced.sorted += sorted.reduce((sum, column) => sum + column.length, 0);

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
  produced.windows += 1;
  produced.judged += evaluation.judged ? 1 : 0;
  produced.events += evaluation.events;
  produced.features += evaluation.features.length;
  produced.featureValues += evaluation.features.reduce(
    (sum, f) => sum + (f.psi !== null && f.ksPValue !== null ? f.count : 0),
    0,
  );
  produced.scoreValues += evaluation.score.psi !== null ? evaluation.score.count : 0;
}

expectCount(
  `baseline values sorted (${REPEATS} × ${FEATURES} × ${EVENTS})`,
  produced.sorted,
  REPEATS * FEATURES * EVENTS,
);
expectCount(`windows closed and evaluated (${REPEATS})`, produced.windows, REPEATS);
expectCount('windows judged (at least the rule minimum of events)', produced.judged, REPEATS);
expectCount(`events in the evaluated windows (${REPEATS} × ${EVENTS})`, produced.events, REPEATS * EVENTS);
expectCount(`features evaluated (${REPEATS} × ${FEATURES})`, produced.features, REPEATS * FEATURES);
expectCount(
  `feature values with PSI and KS (${REPEATS} × ${FEATURES} × ${EVENTS})`,
  produced.featureValues,
  REPEATS * FEATURES * EVENTS,
);
expectCount(`scores with PSI (${REPEATS} × ${EVENTS})`, produced.scoreValues, REPEATS * EVENTS);
assertCounts();

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
