import { createDecoder, loadSchemaHistory, TopicCatalogue, type TopicKey } from '@streamscore/contracts';
import { readTopicToEnd, testKafka, waitFor, type ReadMessage } from '@streamscore/testing';
import type { DeadLetterRow } from '@streamscore/cli/testing';
import { serviceGroupId } from '../runner/run-namespace';
import type { DemoReport } from './demo-process';

/** A topic of the demo run (its namespace is in the report). */
export const topicOf = (report: DemoReport, topic: TopicKey): string =>
  new TopicCatalogue({ prefix: report.topicPrefix, partitions: report.partitions }).name(topic);

/** What a topic of the run holds, read_committed, waiting up to 2 minutes for `expected` records. */
export function readMessages(report: DemoReport, topic: TopicKey, expected?: number): Promise<ReadMessage[]> {
  return readTopicToEnd(testKafka(), topicOf(report, topic), {
    isolation: 'read_committed',
    ...(expected === undefined ? {} : { expected }),
    timeoutMs: 120_000,
  });
}

/** The same, decoded with the schemas in `schemaDir`; an undecodable record fails the test. */
export async function readRecords<T = Record<string, unknown>>(
  report: DemoReport,
  topic: TopicKey,
  schemaDir: string,
  expected?: number,
): Promise<T[]> {
  const messages = await readMessages(report, topic, expected);
  const decoder = createDecoder(loadSchemaHistory(schemaDir));
  const records: T[] = [];
  for (const message of messages) {
    const result = await decoder.decode(message.value, message.headers);
    if (!result.ok) throw new Error(`${topic} ${message.partition}:${message.offset}: ${result.reason}`);
    records.push(result.record as T);
  }
  return records;
}

/**
 * Resolves once the run's features service has committed everything now on `topic`. It commits a
 * batch's offsets only after its Redis writes, so from then on the online store holds those records.
 */
export async function awaitFeaturesCommitted(
  report: DemoReport,
  topic: TopicKey,
  timeoutMs = 60_000,
): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const name = topicOf(report, topic);
    const ends = await admin.fetchTopicOffsets(name);
    const groupId = serviceGroupId(report.topicPrefix, 'features');
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [name] });
        const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        return ends.every(
          (end) => Number(end.high) === 0 || (at.get(end.partition) ?? -1) >= Number(end.high),
        );
      },
      { timeoutMs, intervalMs: 100, description: `${groupId} committed ${name} to its end` },
    );
  } finally {
    await admin.disconnect();
  }
}

/** The eventId of a JSON dead letter (`dlq list` prints payloads in base64); undefined for Avro. */
export function payloadEventId(row: DeadLetterRow): unknown {
  try {
    return (JSON.parse(Buffer.from(row.payload ?? '', 'base64').toString('utf8')) as { eventId?: unknown })
      .eventId;
  } catch {
    return undefined;
  }
}

export const jsonLines = (records: readonly unknown[]): string =>
  records.map((record) => `${JSON.stringify(record)}\n`).join('');

/** Ids seen more than once. */
export function repeatedIds(ids: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([id]) => id);
}
