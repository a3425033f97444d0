import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  type DriftReport,
} from '@streamscore/contracts';
import { DRIFT_FIXTURE_PIPELINE, prediction, readTopicToEnd, syntheticRows } from '@streamscore/testing';

const ROOT = join(__dirname, '..', '..', '..');
export const SCHEMAS = join(ROOT, 'schemas');
export const DRIFT_PIPELINE = DRIFT_FIXTURE_PIPELINE;
export const HOUR = 3_600_000;
export const BASE = Date.UTC(2024, 2, 1);

/** Synthetic predictions, `perHour` per event-time hour, hours [from, to). */
export async function producePredictionHours(
  producer: Producer,
  topic: string,
  perHour: number,
  from: number,
  to: number,
): Promise<void> {
  const type = loadSchemaHistory(join(SCHEMAS, 'prediction')).latest.type;
  for (let hour = from; hour < to; hour++) {
    const rows = syntheticRows(1_000 + hour, perHour, 0);
    for (let i = 0; i < rows.length; i += 2_000) {
      await producer.send({
        topic,
        messages: rows.slice(i, i + 2_000).map((row, j) => {
          const n = i + j;
          const id = `h${hour}-${n}`;
          return {
            key: id,
            value: encodeSingleObject(
              type,
              prediction(row, BASE + hour * HOUR + Math.floor((n * HOUR) / perHour), id),
            ),
            headers: { [Headers.contentType]: ContentTypes.avro },
          };
        }),
      });
    }
  }
}

export async function readDriftReports(
  kafka: Kafka,
  topic: string,
  expected: number,
): Promise<DriftReport[]> {
  const decoder = createDecoder<DriftReport>(loadSchemaHistory(join(SCHEMAS, 'drift-report')));
  const messages = await readTopicToEnd(kafka, topic, {
    isolation: 'read_committed',
    expected,
    timeoutMs: 120_000,
  });
  const out: DriftReport[] = [];
  for (const m of messages) {
    const result = await decoder.decode(m.value, m.headers);
    if (!result.ok) throw new Error(result.reason);
    out.push(result.record);
  }
  return out;
}
