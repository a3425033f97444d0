import type { Type } from 'avsc';
import type { IHeaders } from 'kafkajs';
import { ContentTypes, encodeSingleObject, Headers, type Prediction } from '@streamscore/contracts';
import type { OutputMessage } from '@streamscore/kafka';

/** Where Prediction records go and how they are encoded. */
export interface PredictionRecordOptions {
  readonly topics: { readonly predictions: string; readonly shadow: string };
  /** The Prediction schema (latest version) and its full name, for the schema header. */
  readonly schema: { readonly type: Type; readonly name: string };
}

/**
 * The Kafka record of one Prediction: a SHADOW prediction goes to the shadow topic (never served,
 * kept apart from what consumers of `predictions` count), any other to `predictions`; the value is
 * the single-object Avro encoding; the headers name the content type, the schema and the model
 * version. The key is the scored input's key (the entity key): the producer's default partitioner
 * (murmur2 of the key, as the Java client) places the record, so an entity's predictions stay in
 * order on one partition.
 */
export function predictionRecord(
  prediction: Prediction,
  key: Buffer | string | null,
  options: PredictionRecordOptions,
  extraHeaders: IHeaders = {},
): OutputMessage {
  const headers: IHeaders = {
    [Headers.contentType]: ContentTypes.avro,
    [Headers.schemaName]: options.schema.name,
    [Headers.modelName]: prediction.modelName,
    [Headers.modelVersion]: prediction.modelVersion,
    ...extraHeaders,
  };
  return {
    topic: prediction.role === 'SHADOW' ? options.topics.shadow : options.topics.predictions,
    key,
    value: encodeSingleObject(options.schema.type, prediction),
    headers,
  };
}
