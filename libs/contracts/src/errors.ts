/**
 * The one error rule. Bad data is never thrown: it becomes a dead-letter output with its code.
 * A retriable error is retried with backoff until it succeeds or the service stops. Any other
 * thrown error is a bug: the service stops loudly, offsets uncommitted.
 */

/** An outcome and its retriability can only come in these two pairs. */
type ErrorRule =
  | { readonly outcome: 'dead-letter'; readonly retriable: false }
  | { readonly outcome: 'retry'; readonly retriable: true };

/**
 * Every code a pipeline error can have, with its fixed outcome. `dead-letter` codes name bad data
 * and go into the `streamscore-dlq-code` header; `retry` codes name transient failures, thrown as a
 * RetriableError. The transport decides on `retriable` alone (libs/kafka `failureAction`).
 */
export const ErrorCodes = {
  UNKNOWN_SCHEMA: { outcome: 'dead-letter', retriable: false },
  UNSUPPORTED_FORMAT: { outcome: 'dead-letter', retriable: false },
  TRUNCATED: { outcome: 'dead-letter', retriable: false },
  TRAILING_BYTES: { outcome: 'dead-letter', retriable: false },
  INVALID_FIELD: { outcome: 'dead-letter', retriable: false },
  MISSING_FIELD: { outcome: 'dead-letter', retriable: false },
  NOT_FINITE: { outcome: 'dead-letter', retriable: false },
  TOO_LARGE: { outcome: 'dead-letter', retriable: false },
  LIMIT_EXCEEDED: { outcome: 'dead-letter', retriable: false },
  MALFORMED: { outcome: 'dead-letter', retriable: false },
  MISSING_FEATURES: { outcome: 'dead-letter', retriable: false },
  MODEL_ERROR: { outcome: 'dead-letter', retriable: false },
  /** Schema-valid but outside the pipeline's field rules (a range, a length, the event-time window). */
  OUT_OF_RANGE: { outcome: 'dead-letter', retriable: false },
  /** An event id already accepted from another input record within the stream's deduplication horizon. */
  DUPLICATE: { outcome: 'dead-letter', retriable: false },
  /** A dependency is down or answers unusably: Redis, schema registry, broker, a worker thread. */
  UNAVAILABLE: { outcome: 'retry', retriable: true },
  /** A read or request missed its time budget. */
  DEADLINE: { outcome: 'retry', retriable: true },
  /** This service cannot handle records yet (no model version is serving). */
  NOT_READY: { outcome: 'retry', retriable: true },
} as const satisfies Record<string, ErrorRule>;

export type ErrorCode = keyof typeof ErrorCodes;
type CodeWith<Outcome extends ErrorRule['outcome']> = {
  [C in ErrorCode]: (typeof ErrorCodes)[C]['outcome'] extends Outcome ? C : never;
}[ErrorCode];
export type DeadLetterCode = CodeWith<'dead-letter'>;
export type RetryCode = CodeWith<'retry'>;

function codesWith<Outcome extends ErrorRule['outcome']>(outcome: Outcome): readonly CodeWith<Outcome>[] {
  return (Object.keys(ErrorCodes) as ErrorCode[]).filter(
    (code): code is CodeWith<Outcome> => ErrorCodes[code].outcome === outcome,
  );
}

/** The dead-letter codes in table order (the closed list of the dead-letter header). */
export const DeadLetterCodes: readonly DeadLetterCode[] = codesWith('dead-letter');
export const RetryCodes: readonly RetryCode[] = codesWith('retry');

/** The one error class the pipeline throws: a transient failure that a retry may cure. */
export class RetriableError extends Error {
  override readonly name = 'RetriableError';
  readonly retriable = true;
  readonly code: RetryCode;
  constructor(message: string, options: { readonly code?: RetryCode; readonly cause?: unknown } = {}) {
    super(message, options);
    this.code = options.code ?? 'UNAVAILABLE';
  }
}

/** True for a RetriableError and for anything else marked `retriable: true` (kafkajs errors). */
export function isRetriable(error: unknown): boolean {
  return (
    error instanceof RetriableError ||
    (typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true)
  );
}
