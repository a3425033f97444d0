/**
 * Errors carry a code from a closed list and whether a retry can help (kafkajs `retriable`,
 * platformatic codes). Batch runners decide on `retriable` alone: retriable → pause and retry
 * with backoff; not retriable → dead-letter.
 */
export const DeadLetterCodes = [
  'UNKNOWN_SCHEMA',
  'UNSUPPORTED_FORMAT',
  'TRUNCATED',
  'TRAILING_BYTES',
  'INVALID_FIELD',
  'MISSING_FIELD',
  'NOT_FINITE',
  'TOO_LARGE',
  'LIMIT_EXCEEDED',
  'MALFORMED',
  'MISSING_FEATURES',
  'MODEL_ERROR',
] as const;

export type DeadLetterCode = (typeof DeadLetterCodes)[number];

export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    readonly code: DeadLetterCode | 'RETRIABLE',
    message: string,
    readonly retriable: boolean,
    readonly fields: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A failure that a retry may cure (registry down, Redis down, broker hiccup). */
export class RetriableError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RETRIABLE', message, true, [], options);
  }
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof PipelineError) return error.retriable;
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}
