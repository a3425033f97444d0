import type { IHeaders, KafkaMessage } from 'kafkajs';
import { Headers, type DeadLetterCode } from '@streamscore/contracts';
import type { OutputMessage } from './transport/batch-types';

/**
 * Most bytes of an input record (key, value and header names and values) a dead letter copies.
 * Kafka accepts a record up to the broker's limit (1 MiB by default), and its dead letter adds reason
 * headers: a copy of a record near the limit would be refused by the broker, a failure that is not
 * retriable, and the partition would stall behind it. Larger records are dead-lettered without their
 * key, value and headers (Headers.dlqDropped says how large they were); the source headers say where
 * the original is.
 */
export const DEAD_LETTER_COPY_BYTES = 900_000;

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
  const original = message.headers ?? {};
  const sizes = {
    key: byteLength(message.key),
    value: byteLength(message.value),
    headers: headerBytes(original),
  };
  const whole = sizes.key + sizes.value + sizes.headers <= DEAD_LETTER_COPY_BYTES;
  return {
    topic,
    key: whole ? message.key : null,
    value: whole ? message.value : null,
    headers: {
      ...(whole ? original : { [Headers.dlqDropped]: JSON.stringify(sizes) }),
      [Headers.dlqCode]: code,
      [Headers.dlqReason]: reason.slice(0, 1_000),
      [Headers.dlqFields]: JSON.stringify(fields),
      [Headers.sourceTopic]: source.topic,
      [Headers.sourcePartition]: String(source.partition),
      [Headers.sourceOffset]: message.offset,
    },
  };
}

function byteLength(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

function headerBytes(headers: IHeaders): number {
  let total = 0;
  for (const [name, value] of Object.entries(headers)) {
    total += Buffer.byteLength(name);
    for (const item of Array.isArray(value) ? value : [value]) total += byteLength(item);
  }
  return total;
}
