import { join } from 'node:path';
import type { Type } from 'avsc';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  ContentTypes,
  eventIdOf,
  eventTimeOf,
  Headers,
  loadSchemaHistory,
  SINGLE_OBJECT_HEADER_BYTES,
  type Prediction,
  type TopicCatalogue,
} from '@streamscore/contracts';
import { buildPrediction, predictionRecord, usedDefaults } from '@streamscore/inference';
import type { BatchHandler, OutputMessage, PartitionBatch } from '@streamscore/kafka';
import { FeatureVectorBuilder, ModelRepository, readManifest, scoringTensors } from '@streamscore/models';
import type { PipelineConfig } from '@streamscore/platform';

/** A handler's records, to count what a stage delivered (the bench checks it). */
export type OnDelivered = (rows: number) => void;

/**
 * ingestion's shape: each record of `events` / `outcomes` copied to its validated topic with the
 * headers the gate adds (schema name, content type, and on a deduplicated stream the event-id
 * claim `partition:offset`), so the records are the validated ones' size. Nothing decoded.
 */
export function copyToValidated(
  topics: TopicCatalogue,
  pipeline: PipelineConfig,
  onDelivered: OnDelivered,
): BatchHandler {
  const routes = new Map(
    (['events', 'outcomes'] as const).map((stream) => {
      const config = pipeline.streams[stream];
      const target = topics.name(stream === 'events' ? 'eventsValidated' : 'outcomesValidated');
      const schemaName = loadSchemaHistory(config.schemaDir).name;
      return [topics.name(stream), { target, schemaName, claims: config.deduplicateWithinMs !== undefined }];
    }),
  );
  return {
    handle: (batch: PartitionBatch) => {
      const route = routes.get(batch.topic);
      if (!route) throw new Error(`no validated topic for ${batch.topic}`);
      const outputs = batch.messages.map((m): OutputMessage => {
        const headers: IHeaders = { ...(m.headers ?? {}) };
        if (route.claims) headers[Headers.eventClaim] = `${batch.partition}:${m.offset}`;
        headers[Headers.contentType] = ContentTypes.avro;
        headers[Headers.schemaName] = route.schemaName;
        return { topic: route.target, key: m.key, value: m.value, headers };
      });
      return Promise.resolve({
        outputs,
        delivered: (info) => {
          onDelivered(info.rows);
        },
      });
    },
  };
}

/** features' shape: writes nothing; the transport commits each micro-batch's offsets in a transaction. */
export function offsetsOnly(onDelivered: OnDelivered): BatchHandler {
  return {
    handle: () =>
      Promise.resolve({
        outputs: [],
        delivered: (info) => {
          onDelivered(info.rows);
        },
      }),
  };
}

/**
 * The drift monitor's shape: no outputs, the offsets the handler chooses (here always the next
 * record: no window stays open) in the member's one transaction.
 */
export function offsetsChosenByHandler(onDelivered: OnDelivered): BatchHandler {
  return {
    handle: (batch: PartitionBatch) => {
      const last = batch.messages[batch.messages.length - 1];
      const commit = last
        ? [{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }]
        : [];
      return Promise.resolve({
        outputs: [],
        commit,
        delivered: (info) => {
          onDelivered(info.rows);
        },
      });
    },
  };
}

interface PredictionShape {
  readonly schema: { readonly type: Type; readonly name: string };
  readonly model: { readonly name: string; readonly version: string };
  readonly builder: FeatureVectorBuilder;
  readonly decisionThreshold: number;
}

/** The served model's manifest and the Prediction schema, as inference loads them. */
async function predictionShape(pipeline: PipelineConfig, schemasDir: string): Promise<PredictionShape> {
  const version = String(await new ModelRepository(pipeline.modelRepository).latestVersion(pipeline.model));
  const manifest = await readManifest(join(pipeline.modelRepository, pipeline.model, version));
  const { input, output } = scoringTensors(manifest);
  const history = loadSchemaHistory(join(schemasDir, 'prediction'));
  return {
    schema: { type: history.latest.type, name: history.name },
    model: { name: pipeline.model, version },
    builder: new FeatureVectorBuilder(input),
    decisionThreshold: output.decisionThreshold,
  };
}

/**
 * inference's shape without features or scoring: each validated departure decoded, and a real
 * Prediction for it (its id, key and event time; the raw features of the first departure of the
 * micro-batch with every online feature present; a fixed score) encoded with the contracts'
 * encoder and the 4 headers inference writes (libs/inference batch-scorer.ts predictionMessage).
 */
export async function predictionPerDeparture(
  topics: TopicCatalogue,
  pipeline: PipelineConfig,
  schemasDir: string,
  onDelivered: OnDelivered,
): Promise<BatchHandler> {
  const shape = await predictionShape(pipeline, schemasDir);
  const { idField, timeField, schemaDir } = pipeline.streams.events;
  const departure = loadSchemaHistory(schemaDir).latest.type;
  const online = Object.fromEntries(
    shape.builder.input.features.flatMap((f) => (f.source.kind === 'online' ? [[f.source.feature, 1]] : [])),
  );
  const predictionTopics = {
    predictions: topics.name('predictions'),
    shadow: topics.name('predictionsShadow'),
  };
  return {
    handle: (batch: PartitionBatch) => {
      const records = batch.messages.map((m) => decodeRecord(departure, m));
      const first = records[0];
      const raw = shape.builder.build(first ? [first] : [], first ? [online] : []).raw;
      const outputs = records.map((record, i): OutputMessage => {
        const message = batch.messages[i] as KafkaMessage;
        const prediction: Prediction = buildPrediction({
          eventId: eventIdOf(record, idField) ?? '',
          entityKey: message.key?.toString() ?? '',
          eventTimeMs: eventTimeOf(record, timeField) ?? 0,
          modelName: shape.model.name,
          modelVersion: shape.model.version,
          role: 'ACTIVE',
          score: 0.25,
          decisionThreshold: shape.decisionThreshold,
          raw,
          row: 0,
          stale: false,
          defaulted: usedDefaults(shape.builder.input.features, record, online),
          timings: { queueMs: 12, featuresMs: 3, featureWaitMs: 0, inferenceMs: 1 },
          scoredAt: Date.now(),
        });
        return predictionRecord(prediction, message.key, { topics: predictionTopics, schema: shape.schema });
      });
      return Promise.resolve({
        outputs,
        delivered: (info) => {
          onDelivered(info.rows);
        },
      });
    },
  };
}

function decodeRecord(type: Type, message: KafkaMessage): Record<string, unknown> {
  if (!message.value) throw new Error(`record at offset ${message.offset} has no value`);
  return type.decode(message.value, SINGLE_OBJECT_HEADER_BYTES).value as Record<string, unknown>;
}
