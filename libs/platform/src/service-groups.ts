import type { TopicCatalogue } from '@streamscore/contracts';
import type { ProgressHop } from '@streamscore/kafka';

/**
 * Each service's consumer group by default (its STREAMSCORE_GROUP_ID), and the groups a reader
 * waits on for event-time progress: the one place the pipeline's hops are written down.
 */
export const DEFAULT_GROUP_IDS = {
  ingestion: 'streamscore-ingestion',
  features: 'streamscore-features',
  inference: 'streamscore-inference',
  drift: 'streamscore-drift-monitor',
} as const;

/** Who writes a validated stream: ingestion, from the stream's input topic (written by users, not in transactions). */
export function validatedStreamHops(
  topics: TopicCatalogue,
  stream: 'events' | 'outcomes',
  ingestionGroupId: string,
): ProgressHop[] {
  return [{ groupId: ingestionGroupId, topic: topics.name(stream), transactional: false }];
}

/** Who writes predictions: inference, from validated events, which ingestion writes. */
export function predictionHops(
  topics: TopicCatalogue,
  groups: { readonly ingestion: string; readonly inference: string },
): ProgressHop[] {
  return [
    { groupId: groups.inference, topic: topics.name('eventsValidated'), transactional: true },
    ...validatedStreamHops(topics, 'events', groups.ingestion),
  ];
}
