import { isRetriable } from '@streamscore/contracts';

/**
 * What the transport does with an error a handler or a transaction threw. The one error rule:
 * bad data is never thrown: it becomes a dead-letter output with its code. A retriable error is
 * retried with backoff until it succeeds or the service stops. Any other thrown error is a bug: the
 * service stops loudly, offsets uncommitted.
 */
export type FailureAction = 'retry' | 'stop';

/** Decides on `retriable` alone (a RetriableError, or a kafkajs error marked retriable). */
export function failureAction(error: unknown): FailureAction {
  return isRetriable(error) ? 'retry' : 'stop';
}
