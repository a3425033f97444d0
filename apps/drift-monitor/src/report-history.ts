import type { Kafka } from 'kafkajs';
import { createDecoder, type DriftReport, type SchemaHistory } from '@streamscore/contracts';
import { readTopicsToEnd } from '@streamscore/kafka';

/**
 * Reads `drift.reports` from the beginning to its current end with read_committed, so only reports
 * of committed windows count. The monitor's transactional producer must be connected first: its
 * initialisation aborts a crashed predecessor's open transaction, which would otherwise hold the
 * last stable offset back. An undecodable report fails the read.
 */
export async function readReportHistory(
  kafka: Kafka,
  topic: string,
  schemas: SchemaHistory,
  groupPrefix: string,
  timeoutMs: number,
): Promise<DriftReport[]> {
  const decoder = createDecoder<DriftReport>(schemas);
  const reports: DriftReport[] = [];
  await readTopicsToEnd(
    kafka,
    [topic],
    async (message) => {
      const result = await decoder.decode(message.value, message.headers);
      if (!result.ok) throw new Error(`${topic}@${message.offset}: ${result.reason}`);
      reports.push(result.record);
    },
    { groupPrefix, timeoutMs },
  );
  return reports;
}
