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
  modelName: 'streamscore-model',
  modelVersion: 'streamscore-model-version',
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];

export const ContentTypes = {
  avro: 'application/vnd.apache.avro',
  json: 'application/json',
} as const;
