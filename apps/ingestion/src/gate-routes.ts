import type { Provider } from '@nestjs/common';
import {
  createDecoder,
  loadSchemaHistory,
  SchemaRegistryClient,
  type TopicCatalogue,
} from '@streamscore/contracts';
import type { Redis } from 'ioredis';
import { inputChecks, REDIS, TOPICS, type PipelineConfig } from '@streamscore/platform';
import type { IngestionConfig } from './config';
import { EventIdClaims } from './event-id-claims';
import { INGESTION_CONFIG, PIPELINE } from './tokens';
import type { GateRoute } from './validation-gate';

/** Input topic → how its records are validated and where they go; shared by the gate and the HTTP entry. */
export const GATE_ROUTES = Symbol('GATE_ROUTES');

export type GateRoutes = ReadonlyMap<string, GateRoute>;

export const gateRoutesProvider: Provider = {
  provide: GATE_ROUTES,
  inject: [INGESTION_CONFIG, PIPELINE, TOPICS, REDIS],
  useFactory: (
    config: IngestionConfig,
    pipeline: PipelineConfig,
    topics: TopicCatalogue,
    redis: Redis | null,
  ): GateRoutes => {
    const registry = config.SCHEMA_REGISTRY_URL
      ? new SchemaRegistryClient({ url: config.SCHEMA_REGISTRY_URL })
      : undefined;
    const limits = {
      maxMessageBytes: config.STREAMSCORE_MAX_MESSAGE_BYTES,
      maxArrayItems: config.STREAMSCORE_MAX_ARRAY_ITEMS,
      maxMapEntries: config.STREAMSCORE_MAX_MAP_ENTRIES,
      ...(registry ? { registry } : {}),
    };
    const route = (stream: 'events' | 'outcomes', validTopic: string): GateRoute => {
      const { schemaDir, keyFields, idField, timeField, deduplicateWithinMs } = pipeline.streams[stream];
      const history = loadSchemaHistory(schemaDir);
      return {
        // The pipeline's field size limits and this stream's field rules: the HTTP entry
        // (fromJson) and the gate (decode) refuse the same records.
        decoder: createDecoder(history, { ...limits, ...inputChecks(pipeline, stream) }),
        validTopic,
        deadLetterTopic: topics.name('eventsDeadLetter'),
        keyFields,
        schemaName: history.name,
        timeField,
        ...(deduplicateWithinMs === undefined
          ? {}
          : {
              deduplication: {
                idField,
                claims: new EventIdClaims(
                  redisFor(redis, stream),
                  config.REDIS_KEY_PREFIX,
                  deduplicateWithinMs,
                ),
              },
            }),
      };
    };
    return new Map([
      [topics.name('events'), route('events', topics.name('eventsValidated'))],
      [topics.name('outcomes'), route('outcomes', topics.name('outcomesValidated'))],
    ]);
  },
};

/** True when any input stream is deduplicated: ingestion then needs Redis (and its readiness check). */
export function needsRedis(pipeline: PipelineConfig): boolean {
  return Object.values(pipeline.streams).some((s) => s.deduplicateWithinMs !== undefined);
}

function redisFor(redis: Redis | null, stream: string): Redis {
  if (!redis) throw new Error(`streams.${stream}.deduplicateWithinMs needs Redis, which is not connected`);
  return redis;
}
