/**
 * Scores the real flights of the given slices offline, as the inference service would, and writes
 * the replay file (see replay-records.ts) for flights-replay.int.spec.ts:
 * - online features as of each departure's scheduledAt by libs/features' offline computation,
 *   over every departure and outcome of the slice and of the HISTORY_MS before it (the longest
 *   view is 24 h; outcomes count from knownAt = scheduledAt + delay, hence the extra day);
 * - raw values and tensor by the manifest (FeatureVectorBuilder, missing-value defaults applied);
 * - the score by the TypeScript forward pass of the committed ONNX file (mlpForward).
 * Test data code, so it may know about flights; it runs under tsx because hyparquet is ESM-only.
 *
 *   npx tsx demo/flights/drift/write-flights-replay.ts <out.json> <from>/<to> [<from>/<to> …]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeOfflineRows } from '@streamscore/features';
import { FeatureVectorBuilder, readManifest, type ModelInput } from '@streamscore/models';
import { mlpForward, readMlpFromOnnx } from '@streamscore/training';
import { loadFlightsParquet, toFlightEvents } from '../data';
import { loadFlightFeatureViews } from '../feature-views';
import type { ReplayFile, ReplayRow, ReplaySlice } from './replay-records';

const ROOT = join(__dirname, '..', '..', '..');
const MODEL_DIRECTORY = join(ROOT, 'models', 'flight-delay', '1');
const HISTORY_MS = 2 * 86_400_000;

async function scoreSlice(
  input: ModelInput,
  slice: ReplaySlice,
  score: (tensor: Float32Array, rows: number) => Float32Array,
): Promise<ReplayRow[]> {
  const flights = await loadFlightsParquet({ fromMs: slice.fromMs - HISTORY_MS, toMs: slice.toMs });
  const { departures, outcomes } = toFlightEvents(flights);
  const inSlice = departures.filter((d) => d.scheduledAt >= slice.fromMs);
  // The offline computation keeps only records strictly before atMs: no outcome leaks.
  const online = computeOfflineRows(
    loadFlightFeatureViews(),
    { events: departures, outcomes },
    inSlice.map((record) => ({ record, atMs: record.scheduledAt })),
  );
  const { tensor, raw, issues } = new FeatureVectorBuilder(input).build(inSlice, online);
  if (issues.length > 0) throw new Error(`${issues.length} rows of ${slice.name} cannot be scored`);
  const scores = score(tensor, inSlice.length);
  const numeric = input.features.filter((f) => f.type === 'numeric').map((f) => raw.columns.get(f.name));
  const categorical = input.features
    .filter((f) => f.type === 'categorical')
    .map((f) => raw.columns.get(f.name));
  return inSlice.map((departure, row): ReplayRow => {
    const numbers = numeric.map((column) => {
      const value = column instanceof Float64Array ? column[row] : undefined;
      return value !== undefined && Number.isFinite(value) ? value : null;
    });
    const strings = categorical.map((column) => {
      const value = column instanceof Float64Array ? undefined : column?.[row];
      return typeof value === 'string' ? value : null;
    });
    // Key = the pipeline's keyFields (origin), as ingestion keys the event and inference the prediction.
    return [departure.scheduledAt, departure.origin, departure.eventId, scores[row] ?? NaN, numbers, strings];
  });
}

function parseSlice(text: string): ReplaySlice {
  const [from = '', to = ''] = text.split('/');
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (!(fromMs < toMs)) throw new RangeError(`slice ${text} is not <from>/<to> with from < to`);
  return { name: text, fromMs, toMs };
}

async function main(out: string, sliceArgs: readonly string[]): Promise<void> {
  const manifest = await readManifest(MODEL_DIRECTORY);
  const input = manifest.inputs[0];
  const output = manifest.outputs[0];
  if (!input || !output) throw new Error('flight-delay/1 has no input or output');
  const mlp = readMlpFromOnnx(readFileSync(join(MODEL_DIRECTORY, manifest.model.file)));
  const score = (tensor: Float32Array, rows: number): Float32Array => mlpForward(mlp, tensor, rows);
  const slices = sliceArgs.map(parseSlice);
  const rows: ReplayRow[] = [];
  const counted: (ReplaySlice & { rows: number })[] = [];
  for (const slice of slices) {
    const sliceRows = await scoreSlice(input, slice, score);
    counted.push({ ...slice, rows: sliceRows.length });
    rows.push(...sliceRows);
  }
  rows.sort((a, b) => a[0] - b[0] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
  const file: ReplayFile = {
    modelName: manifest.name,
    modelVersion: String(manifest.version),
    decisionThreshold: output.decisionThreshold,
    numericNames: input.features.filter((f) => f.type === 'numeric').map((f) => f.name),
    categoricalNames: input.features.filter((f) => f.type === 'categorical').map((f) => f.name),
    slices: counted,
    rows,
  };
  writeFileSync(out, JSON.stringify(file));
  process.stdout.write(JSON.stringify({ rows: rows.length, slices: counted }));
}

const [out, ...sliceArgs] = process.argv.slice(2);
if (out === undefined || sliceArgs.length === 0) {
  process.stderr.write('usage: write-flights-replay.ts <out.json> <from>/<to> [<from>/<to> …]\n');
  process.exitCode = 2;
} else {
  main(out, sliceArgs).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
