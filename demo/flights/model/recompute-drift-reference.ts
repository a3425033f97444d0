/**
 * Recomputes a manifest's drift reference bins from the raw training window, independently of
 * libs/training's reference-distribution code, and prints them as JSON on stdout (used by
 * drift-reference.spec.ts; the parquet reader cannot run inside Jest's VM).
 *
 *   npx tsx demo/flights/model/recompute-drift-reference.ts models/flight-delay/1
 */
import { dirname, join } from 'node:path';
import {
  loadModelDirectory,
  resolveRawFeatures,
  scoreTensor,
  FeatureVectorBuilder,
  type ModelInput,
} from '@streamscore/models';
import { loadFlightFeatureViews } from '../feature-views';
import { loadTrainingWindows } from './training-data';

const DAY_MS = 86_400_000;

/** numpy.quantile(x, q), method 'linear' (numpy's default): written out again on purpose. */
function numpyLinearQuantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return (sorted[below] ?? NaN) * (1 - fraction) + (sorted[above] ?? NaN) * fraction;
}

function numericBins(values: Float64Array, bins: number): { edges: number[]; proportions: number[] } {
  const sorted = Float64Array.from(values).sort();
  const edges = [
    ...new Set(Array.from({ length: bins - 1 }, (_, k) => numpyLinearQuantile(sorted, (k + 1) / bins))),
  ];
  return { edges, proportions: proportionsWithEdges(values, edges) };
}

/** Bin index = number of inner edges <= x, by a plain scan. */
function proportionsWithEdges(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] ?? NaN;
    const bin = edges.filter((edge) => edge <= x).length;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts.map((count) => count / values.length);
}

async function main(directory: string): Promise<void> {
  const model = await loadModelDirectory(directory);
  const { manifest } = model;
  const input = manifest.inputs[0] as ModelInput;
  const fromMs = Date.parse(manifest.training.window.from);
  const toMs = Date.parse(manifest.training.window.to);
  const validationDays = (Date.parse(manifest.training.validationWindow.to) - toMs) / DAY_MS;
  const featureViewsPath = join(dirname(__dirname), 'feature-views.json');
  const { train } = await loadTrainingWindows(
    loadFlightFeatureViews(featureViewsPath),
    fromMs,
    toMs,
    validationDays,
  );
  const { raw, issues } = resolveRawFeatures(input.features, train.events, train.online);
  if (issues.length > 0) throw new Error(`${issues.length} training rows have unusable features`);
  const features: Record<string, unknown> = {};
  for (const [name, column] of raw.columns) {
    if (column instanceof Float64Array) features[name] = numericBins(column, manifest.drift.bins);
    else {
      const counts = new Map<string, number>();
      for (const value of column) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
      features[name] = Object.fromEntries(
        [...counts].map(([category, count]) => [category, count / column.length]),
      );
    }
  }
  const tensor = new FeatureVectorBuilder(input).encode(raw);
  const scores = await scoreTensor(model, tensor, raw.rowCount);
  await model.session.release();
  const score = { proportionsWithManifestEdges: proportionsWithEdges(scores, manifest.drift.score.edges) };
  process.stdout.write(JSON.stringify({ rows: raw.rowCount, features, score }));
}

main(process.argv[2] ?? 'models/flight-delay/1').catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
