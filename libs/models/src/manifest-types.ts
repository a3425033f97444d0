/**
 * The model manifest: everything the platform needs to serve a model it knows nothing else about.
 * Stored as `models/<name>/<version>/manifest.json` beside `model.onnx` (a Triton-like layout).
 * The JSON Schema in manifest-schema.ts is the authority; these types mirror it.
 */

/** Where a raw feature value comes from. */
export type FeatureSource =
  /** A field of the event; dotted paths reach nested records (`payload.distance`). */
  | { readonly kind: 'event'; readonly field: string }
  /** A calendar part of an event time field (epoch ms, ISO string or Date), always in UTC. */
  | { readonly kind: 'event-time'; readonly field: string; readonly part: TimePart }
  /** An online feature read from the feature store, named `<view>.<aggregation>`. */
  | { readonly kind: 'online'; readonly feature: string };

export type TimePart = 'hour-of-day' | 'day-of-week' | 'minute-of-day' | 'day-of-month' | 'month';

/** Numeric preprocessing steps, applied in order to the raw value (after the missing default). */
export type NumericStep =
  | { readonly op: 'clip'; readonly min: number; readonly max: number }
  | { readonly op: 'log1p' }
  | { readonly op: 'standardize'; readonly mean: number; readonly std: number };

/** Categorical encodings: each turns one string into `width` tensor columns. */
export type CategoricalEncoding =
  /** One column per vocabulary entry; a value outside the vocabulary gives all zeros. */
  | { readonly op: 'one-hot'; readonly vocabulary: readonly string[] }
  /** FNV-1a 32-bit hash of the UTF-8 bytes, modulo `buckets`, one-hot over the buckets. */
  | { readonly op: 'hashed'; readonly buckets: number; readonly hash: 'fnv1a-32' };

export interface NumericFeature {
  /** The name a Prediction carries and the drift reference is keyed by. */
  readonly name: string;
  readonly type: 'numeric';
  readonly source: FeatureSource;
  /** Substituted for a missing or non-finite raw value; without it such a row cannot be scored. */
  readonly missing?: { readonly default: number };
  readonly preprocessing: readonly NumericStep[];
}

export interface CategoricalFeature {
  readonly name: string;
  readonly type: 'categorical';
  readonly source: FeatureSource;
  readonly missing?: { readonly default: string };
  readonly encoding: CategoricalEncoding;
}

export type InputFeature = NumericFeature | CategoricalFeature;

export interface ModelInput {
  /** The ONNX graph input name. */
  readonly tensor: string;
  readonly dtype: 'float32';
  /** `[-1, width]`: dynamic batch, width = the sum of the features' column widths. */
  readonly shape: readonly [number, number];
  /** In tensor column order. */
  readonly features: readonly InputFeature[];
}

export interface ModelOutput {
  /** The ONNX graph output name. */
  readonly tensor: string;
  readonly dtype: 'float32';
  readonly shape: readonly [number, number];
  readonly kind: 'probability' | 'score';
  /** What the number means, for people. */
  readonly meaning: string;
  /** How the training label was made from an observed outcome. */
  readonly label: {
    readonly field: string;
    readonly operator: '>' | '>=' | '<' | '<=' | '==';
    readonly threshold: number;
  };
  /** Scores at or above it are labelled positive in a Prediction. */
  readonly decisionThreshold: number;
}

/** Half-open event-time window `[from, to)`, ISO 8601 UTC. */
export interface TimeWindow {
  readonly from: string;
  readonly to: string;
}

export interface BinaryMetrics {
  readonly auc: number;
  readonly logLoss: number;
}

export interface ValidationMetrics extends BinaryMetrics {
  readonly rows: number;
  readonly positiveRate: number;
  readonly baselines: {
    /** Predicts the training positive rate for every row. */
    readonly baseRate: BinaryMetrics;
    /** The best model that sees one feature only (chosen by validation log-loss). */
    readonly bestSingleFeature: BinaryMetrics & { readonly feature: string; readonly method: string };
  };
}

/**
 * Quantile bins for PSI: `edges` are the inner edges (numpy linear quantiles, duplicates removed),
 * outer bins are open, bin index = number of inner edges <= x, so `proportions` has edges + 1 entries.
 */
export interface NumericReference {
  readonly kind: 'numeric';
  readonly edges: readonly number[];
  readonly proportions: readonly number[];
  /** Up to 10,000 raw values for the KS test. */
  readonly sample: readonly number[];
}

/** A bin per category seen in the reference window. */
export interface CategoricalReference {
  readonly kind: 'categorical';
  readonly categories: readonly string[];
  readonly proportions: readonly number[];
}

export type DriftReference = NumericReference | CategoricalReference;

export interface ModelManifest {
  readonly name: string;
  readonly version: number;
  readonly createdAt: string;
  readonly description?: string;
  readonly model: { readonly file: string; readonly format: 'onnx'; readonly sha256: string };
  readonly inputs: readonly ModelInput[];
  readonly outputs: readonly ModelOutput[];
  readonly training: {
    readonly window: TimeWindow;
    readonly validationWindow: TimeWindow;
    readonly rows: number;
    readonly validationRows: number;
    readonly algorithm: string;
    readonly seed?: number;
    readonly command?: string;
  };
  readonly metrics: { readonly validation: ValidationMetrics };
  readonly drift: {
    /** The event-time window the references were computed on (the training window). */
    readonly window: TimeWindow;
    readonly bins: number;
    readonly sampleSize: number;
    /** Every input feature by name, in raw units. */
    readonly features: Readonly<Record<string, DriftReference>>;
    /** The first output's score on the reference window. */
    readonly score: NumericReference;
  };
}
