import type { KafkaMessage } from 'kafkajs';
import type { Decoder } from '@streamscore/contracts';
import type { FeatureRecord } from '@streamscore/features';

export interface DecodedBatch {
  readonly records: FeatureRecord[];
  /** Greatest event time among the records (the stream's timeField), undefined if none has one. */
  readonly maxTimeMs: number | undefined;
  readonly failures: { readonly offset: string; readonly reason: string }[];
}

/** Epoch ms of a record's time field: Avro timestamp-millis may decode to a Date. */
export function timeOf(record: FeatureRecord, timeField: string): number | undefined {
  const value = (record as Readonly<Record<string, unknown>>)[timeField];
  const ms = value instanceof Date ? value.getTime() : value;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
}

/**
 * Decodes a validated micro-batch. Validated topics hold canonical single-object Avro written by
 * ingestion, so a failure here is a bug upstream: it is returned (to be counted and logged), and
 * the record is skipped rather than stopping the stream.
 */
export async function decodeBatch(
  decoder: Decoder<FeatureRecord>,
  messages: readonly KafkaMessage[],
  timeField: string,
): Promise<DecodedBatch> {
  const records: FeatureRecord[] = [];
  const failures: { offset: string; reason: string }[] = [];
  let maxTimeMs: number | undefined;
  for (const message of messages) {
    const result = await decoder.decode(message.value, message.headers);
    if (!result.ok) {
      failures.push({ offset: message.offset, reason: `${result.code}: ${result.reason}` });
      continue;
    }
    records.push(result.record);
    const time = timeOf(result.record, timeField);
    if (time !== undefined && (maxTimeMs === undefined || time > maxTimeMs)) maxTimeMs = time;
  }
  return { records, maxTimeMs, failures };
}
