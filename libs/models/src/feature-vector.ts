import { categoryIndexer, featureWidth, inputColumnNames, inputWidth } from './feature-columns';
import type { CategoricalFeature, ModelInput, NumericFeature, NumericStep } from './manifest-types';
import {
  resolveRawFeatures,
  type OnlineValues,
  type RawColumn,
  type RawFeatures,
  type RowIssue,
} from './raw-features';

/** Applies the numeric steps in order to one raw value. */
export function preprocessNumeric(value: number, steps: readonly NumericStep[]): number {
  let x = value;
  for (const step of steps) {
    switch (step.op) {
      case 'clip':
        x = Math.min(step.max, Math.max(step.min, x));
        break;
      case 'log1p':
        x = Math.log1p(x);
        break;
      case 'standardize':
        x = (x - step.mean) / step.std;
        break;
    }
  }
  return x;
}

function columnOf(raw: RawFeatures, name: string): RawColumn {
  const column = raw.columns.get(name);
  if (!column) throw new RangeError(`raw features have no column for input feature ${name}`);
  return column;
}

function fillNumeric(
  out: Float32Array,
  width: number,
  offset: number,
  feature: NumericFeature,
  column: RawColumn,
): void {
  if (!(column instanceof Float64Array)) {
    throw new TypeError(`input feature ${feature.name} is numeric but its raw column holds strings`);
  }
  for (let row = 0; row < column.length; row++) {
    const value = preprocessNumeric(column[row] ?? Number.NaN, feature.preprocessing);
    // Rows without a usable value are reported by resolveRawFeatures; a 0 keeps the batch finite.
    out[row * width + offset] = Number.isFinite(value) ? value : 0;
  }
}

function fillCategorical(
  out: Float32Array,
  width: number,
  offset: number,
  feature: CategoricalFeature,
  column: RawColumn,
): void {
  if (column instanceof Float64Array) {
    throw new TypeError(`input feature ${feature.name} is categorical but its raw column holds numbers`);
  }
  const indexOf = categoryIndexer(feature.encoding);
  for (let row = 0; row < column.length; row++) {
    const value = column[row];
    if (value === null || value === undefined) continue;
    const index = indexOf(value);
    if (index >= 0) out[row * width + offset + index] = 1;
  }
}

/**
 * Turns raw features into the row-major float32 tensor one model input expects, column block by
 * column block (vectorised per feature over the batch).
 */
export function encodeFeatures(input: ModelInput, raw: RawFeatures): Float32Array {
  const width = inputWidth(input);
  const out = new Float32Array(raw.rowCount * width);
  let offset = 0;
  for (const feature of input.features) {
    const column = columnOf(raw, feature.name);
    if (column.length !== raw.rowCount) {
      throw new RangeError(`raw column ${feature.name} has ${column.length} rows, expected ${raw.rowCount}`);
    }
    if (feature.type === 'numeric') fillNumeric(out, width, offset, feature, column);
    else fillCategorical(out, width, offset, feature, column);
    offset += featureWidth(feature);
  }
  return out;
}

export interface FeatureVectors {
  /** Row-major, rowCount × width. */
  readonly tensor: Float32Array;
  readonly raw: RawFeatures;
  readonly issues: readonly RowIssue[];
}

/** Builds the input tensor of one model input from events and their online features. */
export class FeatureVectorBuilder {
  readonly width: number;
  readonly columnNames: readonly string[];

  constructor(readonly input: ModelInput) {
    this.width = inputWidth(input);
    this.columnNames = inputColumnNames(input);
  }

  build(events: readonly unknown[], online?: readonly OnlineValues[]): FeatureVectors {
    const { raw, issues } = resolveRawFeatures(this.input.features, events, online);
    return { tensor: encodeFeatures(this.input, raw), raw, issues };
  }

  encode(raw: RawFeatures): Float32Array {
    return encodeFeatures(this.input, raw);
  }
}
