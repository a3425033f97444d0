import { featureName, type FeatureView } from '@streamscore/features';
import type { ModelOutput } from '@streamscore/models';
import type { FeatureBlueprint } from '@streamscore/training';

/** Clip bounds for delay aggregates in minutes: keeps rare multi-hour delays from dominating. */
const DELAY_CLIP = { min: -30, max: 240 } as const;

/** Departure fields (see schemas/flight-departure) and calendar parts of the scheduled time. */
const EVENT_FEATURES: readonly FeatureBlueprint[] = [
  {
    name: 'distance',
    type: 'numeric',
    source: { kind: 'event', field: 'distance' },
    transforms: [{ op: 'log1p' }],
  },
  {
    name: 'hourOfDay',
    type: 'numeric',
    source: { kind: 'event-time', field: 'scheduledAt', part: 'hour-of-day' },
    transforms: [],
  },
  {
    name: 'dayOfWeek',
    type: 'numeric',
    source: { kind: 'event-time', field: 'scheduledAt', part: 'day-of-week' },
    transforms: [],
  },
  {
    name: 'origin',
    type: 'categorical',
    source: { kind: 'event', field: 'origin' },
    encoding: { op: 'one-hot', maxVocabulary: 40, minCount: 1000 },
  },
  {
    name: 'destination',
    type: 'categorical',
    source: { kind: 'event', field: 'destination' },
    encoding: { op: 'hashed', buckets: 32 },
  },
];

/**
 * Every feature of every view is an input: counts are log-scaled, delay aggregates clipped. A
 * view's empty-window default becomes the manifest's missing default, so the model sees the same
 * value online and offline.
 */
function onlineFeatures(views: readonly FeatureView[]): FeatureBlueprint[] {
  return views.flatMap((view) =>
    view.aggregations.map((aggregation): FeatureBlueprint => {
      const name = featureName(view, aggregation);
      const fallback = aggregation.kind === 'count' || aggregation.kind === 'sum' ? 0 : aggregation.default;
      return {
        name,
        type: 'numeric',
        source: { kind: 'online', feature: name },
        ...(fallback === null ? {} : { missing: { default: fallback } }),
        transforms:
          aggregation.kind === 'count'
            ? [{ op: 'log1p' }]
            : [{ op: 'clip', min: DELAY_CLIP.min, max: DELAY_CLIP.max }],
      };
    }),
  );
}

export function flightDelayBlueprints(views: readonly FeatureView[]): FeatureBlueprint[] {
  return [...EVENT_FEATURES, ...onlineFeatures(views)];
}

export const DELAY_THRESHOLD_MINUTES = 15;

export const FLIGHT_DELAY_OUTPUT: Omit<ModelOutput, 'dtype' | 'shape'> = {
  tensor: 'probability',
  kind: 'probability',
  meaning: `probability that the departure is delayed more than ${DELAY_THRESHOLD_MINUTES} minutes`,
  label: { field: 'delayMinutes', operator: '>', threshold: DELAY_THRESHOLD_MINUTES },
  decisionThreshold: 0.5,
};
