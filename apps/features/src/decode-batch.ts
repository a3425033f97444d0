import { eventTimeOf, type DeadLetterCode, type Decoder } from '@streamscore/contracts';
import type { FeatureRecord } from '@streamscore/features';
import { deadLetter, type OutputMessage, type PartitionBatch } from '@streamscore/kafka';

/** A record that did not decode: where, and the decoder's code and reason. */
export interface DecodeFailureAt {
  readonly offset: string;
  readonly code: DeadLetterCode;
  readonly reason: string;
}

export interface DecodedBatch {
  readonly records: FeatureRecord[];
  /** Greatest event time among the records (the stream's timeField), undefined if none has one. */
  readonly maxTimeMs: number | undefined;
  /** One dead letter per record that did not decode, in offset order. */
  readonly deadLetters: OutputMessage[];
  /** The dead letters by code. */
  readonly deadLettered: Map<DeadLetterCode, number>;
  /** The first record that did not decode, for the log line. */
  readonly firstFailure: DecodeFailureAt | undefined;
}

/**
 * Decodes a validated micro-batch: every record becomes a feature record or a dead letter (original
 * key, bytes and headers, the decoder's code and reason, the source topic/partition/offset), as in
 * ingestion's gate and inference's scorer. Validated topics hold canonical single-object Avro
 * written by ingestion, so a failure here is a bug upstream or a record written around ingestion;
 * the runner delivers the dead letters in the transaction that commits the batch's offsets, so a
 * read_committed reader sees each exactly once. A dead letter adds no event time (maxTimeMs).
 * Deterministic: a retried batch yields the same dead letters.
 */
export async function decodeBatch(
  decoder: Decoder<FeatureRecord>,
  batch: Pick<PartitionBatch, 'topic' | 'partition' | 'messages'>,
  options: { readonly timeField: string; readonly deadLetterTopic: string },
): Promise<DecodedBatch> {
  const records: FeatureRecord[] = [];
  const deadLetters: OutputMessage[] = [];
  const deadLettered = new Map<DeadLetterCode, number>();
  let firstFailure: DecodeFailureAt | undefined;
  let maxTimeMs: number | undefined;
  for (const message of batch.messages) {
    const result = await decoder.decode(message.value, message.headers);
    if (!result.ok) {
      deadLetters.push(
        deadLetter(message, batch, options.deadLetterTopic, result.code, result.reason, result.fields),
      );
      deadLettered.set(result.code, (deadLettered.get(result.code) ?? 0) + 1);
      firstFailure ??= { offset: message.offset, code: result.code, reason: result.reason };
      continue;
    }
    records.push(result.record);
    // The same rule as the views' (toViewRecord): a record they cannot place adds no event time.
    const time = eventTimeOf(result.record, options.timeField);
    if (time !== undefined && (maxTimeMs === undefined || time > maxTimeMs)) maxTimeMs = time;
  }
  return { records, maxTimeMs, deadLetters, deadLettered, firstFailure };
}
