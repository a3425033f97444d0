/**
 * What one window keeps per feature: bin counts against the reference edges (all PSI needs) and a
 * bounded reservoir of raw values for KS. Memory is O(features × (bins + valueCapacity)), whatever
 * the number of events.
 */
import { binIndex } from '../psi/bin-counts';
import type { PreparedReferences } from './references';
import { ValueReservoir } from './value-reservoir';

/** One scored event as the monitor sees it: raw feature values, categories and the score. */
export interface Observation {
  readonly eventTime: number;
  readonly score: number;
  readonly features: Readonly<Record<string, number>>;
  readonly categories: Readonly<Record<string, string>>;
}

export interface NumericSeries {
  readonly kind: 'numeric';
  readonly counts: Float64Array;
  readonly values: ValueReservoir;
}

export interface CategoricalSeries {
  readonly kind: 'categorical';
  /** One count per reference category plus the last bin for unseen values. */
  readonly counts: Float64Array;
}

export type FeatureSeries = NumericSeries | CategoricalSeries;

/** Default number of raw values kept per feature and window for KS (then reservoir-sampled). */
export const DEFAULT_VALUE_CAPACITY = 100_000;

export interface WindowBounds {
  /** Inclusive start, epoch ms (time windows) or the first event time seen (count windows). */
  readonly start: number;
  /** Exclusive end, epoch ms (time windows) or the last event time seen + 1 (count windows). */
  readonly end: number;
  /** Tumbling window number: start / size for time windows, a sequence number for count windows. */
  readonly index: number;
}

function numericSeries(bins: number, capacity: number, seed: number): NumericSeries {
  return { kind: 'numeric', counts: new Float64Array(bins), values: new ValueReservoir(capacity, seed) };
}

export class WindowAccumulator {
  /** Events added. */
  events = 0;
  /** Numeric values that were missing or not finite, per feature (not counted anywhere else). */
  readonly missing: Map<string, number> = new Map<string, number>();
  minEventTime = Number.POSITIVE_INFINITY;
  maxEventTime = Number.NEGATIVE_INFINITY;
  readonly features: readonly FeatureSeries[];
  readonly score: NumericSeries;

  constructor(
    readonly references: PreparedReferences,
    readonly index: number,
    private readonly timeBounds: { readonly start: number; readonly end: number } | undefined,
    valueCapacity = DEFAULT_VALUE_CAPACITY,
  ) {
    // Seeds differ per window and feature but are fixed, so a rebuilt window samples the same way.
    const seed = (i: number): number => (index * 7919 + i * 104_729 + 1) >>> 0;
    this.features = references.features.map((reference, i) =>
      reference.kind === 'numeric'
        ? numericSeries(reference.edges.length + 1, valueCapacity, seed(i))
        : { kind: 'categorical', counts: new Float64Array(reference.categories.length + 1) },
    );
    this.score = numericSeries(references.score.edges.length + 1, valueCapacity, seed(-1));
  }

  add(observation: Observation): void {
    this.events++;
    if (observation.eventTime < this.minEventTime) this.minEventTime = observation.eventTime;
    if (observation.eventTime > this.maxEventTime) this.maxEventTime = observation.eventTime;
    const references = this.references.features;
    for (let i = 0; i < references.length; i++) {
      const reference = references[i];
      const series = this.features[i];
      if (!reference || !series) continue;
      if (reference.kind === 'numeric' && series.kind === 'numeric') {
        const value = observation.features[reference.name];
        if (value === undefined || !Number.isFinite(value)) this.countMissing(reference.name);
        else addNumeric(series, reference.edges, value);
      } else if (reference.kind === 'categorical' && series.kind === 'categorical') {
        const value = observation.categories[reference.name];
        if (value === undefined) this.countMissing(reference.name);
        else {
          const bin = reference.index.get(value) ?? reference.categories.length;
          series.counts[bin] = (series.counts[bin] ?? 0) + 1;
        }
      }
    }
    if (Number.isFinite(observation.score))
      addNumeric(this.score, this.references.score.edges, observation.score);
    else this.countMissing('score');
  }

  bounds(): WindowBounds {
    if (this.timeBounds) return { ...this.timeBounds, index: this.index };
    return {
      start: Number.isFinite(this.minEventTime) ? this.minEventTime : 0,
      end: Number.isFinite(this.maxEventTime) ? this.maxEventTime + 1 : 0,
      index: this.index,
    };
  }

  /** Bytes held by the window's typed arrays (counts and value buffers). */
  get byteLength(): number {
    let bytes = this.score.counts.byteLength + this.score.values.byteLength;
    for (const series of this.features) {
      bytes += series.counts.byteLength;
      if (series.kind === 'numeric') bytes += series.values.byteLength;
    }
    return bytes;
  }

  private countMissing(name: string): void {
    this.missing.set(name, (this.missing.get(name) ?? 0) + 1);
  }
}

function addNumeric(series: NumericSeries, edges: Float64Array, value: number): void {
  const bin = binIndex(edges, value);
  series.counts[bin] = (series.counts[bin] ?? 0) + 1;
  series.values.add(value);
}
