import type { FeatureView } from '@streamscore/features';
import type { FeatureVectorBuilder, ModelManifest } from '@streamscore/models';

/** One model version loaded in every scoring worker and warmed up. */
export interface ServedVersion {
  /** `<name>@<version>`: the key of its sessions in the scoring pool. */
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly manifest: ModelManifest;
  readonly builder: FeatureVectorBuilder;
  /** The feature views its online features come from. */
  readonly views: readonly FeatureView[];
  readonly decisionThreshold: number;
  readonly sha256: string;
  readonly provider: string;
}

/** What serves right now: the active version, an optional canary with its share, an optional shadow. */
export interface Serving {
  readonly active: ServedVersion;
  readonly canary: { readonly version: ServedVersion; readonly share: number } | null;
  readonly shadow: ServedVersion | null;
  /** Every view some served version reads: one feature read per batch covers all of them. */
  readonly views: readonly FeatureView[];
}

export function describeServing(serving: Serving): string {
  const parts = [`active ${serving.active.key}`];
  if (serving.canary) parts.push(`canary ${serving.canary.version.key} at ${serving.canary.share}`);
  if (serving.shadow) parts.push(`shadow ${serving.shadow.key}`);
  return parts.join(', ');
}

export function versionsOf(serving: Serving): ServedVersion[] {
  const list = [serving.active];
  if (serving.canary) list.push(serving.canary.version);
  if (serving.shadow) list.push(serving.shadow);
  return list;
}
