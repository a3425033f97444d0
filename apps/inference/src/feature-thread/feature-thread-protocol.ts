import type { FeatureCacheStats, FeatureQuery, FeatureReading, FeatureView } from '@streamscore/features';

/** What the feature thread is started with: everything it needs to build its own reader. */
export interface FeatureThreadSettings {
  readonly views: readonly FeatureView[];
  readonly redis: {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
    readonly tlsCaFile?: string;
  };
  readonly keyPrefix: string;
  readonly cacheSlabs: number;
}

export interface FeatureThreadRequest {
  readonly id: number;
  readonly queries: readonly FeatureQuery[];
  readonly deadlineMs: number;
}

export type FeatureThreadReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly readings: FeatureReading[];
      readonly stats: FeatureCacheStats;
    }
  | { readonly id: number; readonly ok: false; readonly retriable: boolean; readonly message: string }
  /** A Redis connection error, for the service's log (id 0: answers no request). */
  | { readonly id: 0; readonly ok: false; readonly log: string };
