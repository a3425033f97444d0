import type { Kafka } from 'kafkajs';
import { createDecoder, type DriftReport, type SchemaHistory } from '@streamscore/contracts';

/**
 * Reads `drift.reports` from the beginning to its current end with read_committed, so only reports
 * of committed windows count. The monitor's transactional producer must be connected first: its
 * initialisation aborts a crashed predecessor's open transaction, which would otherwise hold the
 * last stable offset back. A throwaway group is used (kafkajs has no manual assignment) and deleted.
 */
export async function readReportHistory(
  kafka: Kafka,
  topic: string,
  schemas: SchemaHistory,
  groupId: string,
  timeoutMs: number,
): Promise<DriftReport[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)] as const),
    );
    const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([partition]) => partition));
    if (pending.size === 0) return [];
    const decoder = createDecoder<DriftReport>(schemas);
    const reports: DriftReport[] = [];
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
    let failure: Error | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`reading ${topic} back did not finish within ${timeoutMs} ms`));
        }, timeoutMs);
        // END_BATCH_PROCESS also fires for batches holding only transaction markers or aborted
        // records (which eachBatch never sees); lastOffset() counts those offsets too.
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const end = ends.get(payload.partition) ?? 0n;
          if (BigInt(payload.lastOffset) + 1n >= end) pending.delete(payload.partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        void consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const result = await decoder.decode(message.value, message.headers);
              if (result.ok) reports.push(result.record);
              else failure = new Error(`${topic}@${message.offset}: ${result.reason}`);
            }
          },
        });
      });
      await done;
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    if (failure) throw failure;
    return reports;
  } finally {
    await admin.disconnect();
  }
}
