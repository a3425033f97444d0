import type { MessageHeaders } from './avro/decode-result';

/** Kafka header names. Nobody writes a header name inline. */
export const Headers = {
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Dead-letter reason: a code from DeadLetterCode. */
  dlqCode: 'streamscore-dlq-code',
  /** Dead-letter reason: human-readable message. */
  dlqReason: 'streamscore-dlq-reason',
  /** Dead-letter reason: failing field paths, JSON array. */
  dlqFields: 'streamscore-dlq-fields',
  /**
   * Dead letter of a record too large to copy whole (key, value and headers over the dead-letter
   * budget): what was left out, in bytes; the original stays at its source offset while retained.
   */
  dlqDropped: 'streamscore-dlq-dropped',
  sourceTopic: 'streamscore-source-topic',
  sourcePartition: 'streamscore-source-partition',
  sourceOffset: 'streamscore-source-offset',
  /** Name of the schema the payload is encoded with (set by ingestion on validated records). */
  schemaName: 'streamscore-schema',
  /**
   * On validated records of a deduplicated stream: the input position (`partition:offset`) whose
   * event-id claim the record holds. A dead letter keeps it, so `dlq resend` can hand the claim to
   * the re-sent record instead of finding it a duplicate of its own first attempt.
   */
  eventClaim: 'streamscore-event-claim',
  modelName: 'streamscore-model',
  modelVersion: 'streamscore-model-version',
  /** On predictions not scored from the stream, where they came from (`oip`: a /v2 infer call). */
  origin: 'streamscore-origin',
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];

export const ContentTypes = {
  avro: 'application/vnd.apache.avro',
  json: 'application/json',
} as const;

/** A header's value as text (its first value when repeated), or undefined when absent. */
export function headerText(headers: MessageHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw)
    ? (raw[0] as Buffer | string | undefined)
    : (raw as Buffer | string | undefined);
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
