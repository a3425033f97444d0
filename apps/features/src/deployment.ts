import { readFileSync } from 'node:fs';
import type { TopicKey } from '@streamscore/contracts';
import { parseFeatureViews, type FeatureView } from '@streamscore/features';
import { loadPipelineConfig, type PipelineConfig } from '@streamscore/platform';

export type SourceName = 'events' | 'outcomes';

/** One validated stream that some feature view reads. */
export interface FeatureSource {
  /** The name feature views use in `source`. */
  readonly name: SourceName;
  readonly topicKey: TopicKey;
  readonly schemaDir: string;
  /** The stream's event-time field; every view of the source places records by it. */
  readonly timeField: string;
  /** Largest allowedLatenessMs of the source's views: the source watermark holds back by it. */
  readonly latenessMs: number;
  /** Largest ttlMs of the source's views: how long the per-partition progress is kept. */
  readonly ttlMs: number;
}

/** What the service materializes and serves. */
export interface FeatureDeployment {
  readonly views: readonly FeatureView[];
  readonly sources: readonly FeatureSource[];
}

export class FeatureDeploymentError extends Error {
  override readonly name = 'FeatureDeploymentError';
}

const TOPIC_OF: Record<SourceName, TopicKey> = {
  events: 'eventsValidated',
  outcomes: 'outcomesValidated',
};

/**
 * Pairs the views with the pipeline's streams. A view must read `events` or `outcomes` and place
 * records by that stream's timeField: the source watermark is computed on that field, so a view
 * on another field could be declared complete while older records are still in flight.
 */
export function planDeployment(pipeline: PipelineConfig, views: readonly FeatureView[]): FeatureDeployment {
  const sources: FeatureSource[] = [];
  for (const view of views) {
    if (view.source !== 'events' && view.source !== 'outcomes') {
      throw new FeatureDeploymentError(
        `${pipeline.featureViews}: view ${view.name} reads source ${JSON.stringify(view.source)}; the features service serves "events" and "outcomes"`,
      );
    }
    const stream = pipeline.streams[view.source];
    if (view.timeField !== stream.timeField) {
      throw new FeatureDeploymentError(
        `${pipeline.featureViews}: view ${view.name} uses timeField ${view.timeField} but stream ${view.source} has timeField ${stream.timeField} (${pipeline.file})`,
      );
    }
  }
  for (const name of ['events', 'outcomes'] as const) {
    const ofSource = views.filter((view) => view.source === name);
    if (ofSource.length === 0) continue;
    sources.push({
      name,
      topicKey: TOPIC_OF[name],
      schemaDir: pipeline.streams[name].schemaDir,
      timeField: pipeline.streams[name].timeField,
      latenessMs: Math.max(...ofSource.map((view) => view.allowedLatenessMs)),
      ttlMs: Math.max(...ofSource.map((view) => view.ttlMs)),
    });
  }
  return { views, sources };
}

/** Reads the pipeline file and its feature views; no file means no views (nothing to consume). */
export function loadFeatureDeployment(pipelineFile: string | undefined): FeatureDeployment {
  if (pipelineFile === undefined) return { views: [], sources: [] };
  const pipeline = loadPipelineConfig(pipelineFile);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(pipeline.featureViews, 'utf8'));
  } catch (error) {
    throw new FeatureDeploymentError(`${pipeline.featureViews}: ${(error as Error).message}`);
  }
  return planDeployment(pipeline, parseFeatureViews(raw, pipeline.featureViews));
}
