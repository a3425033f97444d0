import type { KafkaMessage } from 'kafkajs';
import { Headers, type DeadLetterCode } from '@streamscore/contracts';
import type { OutputMessage } from './transport/batch-types';

/**
 * A dead letter: the original key, bytes and headers, plus reason headers (code, message, failing
 * fields) and where the record came from, so it can be inspected and replayed.
 */
export function deadLetter(
  message: KafkaMessage,
  source: { topic: string; partition: number },
  topic: string,
  code: DeadLetterCode,
  reason: string,
  fields: readonly string[],
): OutputMessage {
  return {
    topic,
    key: message.key,
    value: message.value,
    headers: {
      ...(message.headers ?? {}),
      [Headers.dlqCode]: code,
      [Headers.dlqReason]: reason.slice(0, 1_000),
      [Headers.dlqFields]: JSON.stringify(fields),
      [Headers.sourceTopic]: source.topic,
      [Headers.sourcePartition]: String(source.partition),
      [Headers.sourceOffset]: message.offset,
    },
  };
}
