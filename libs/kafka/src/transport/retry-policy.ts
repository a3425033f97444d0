import { backoffDelayMs, sleep, type BackoffOptions } from '../backoff';
import type { AbandonReason, RunnerLogger } from './batch-types';

/** What to do with one failure: try again after a backoff, give the work up, or stop the service. */
export type RetryDecision = 'retry' | 'abandon' | 'stop';

export interface RetryPolicy {
  readonly backoff: BackoffOptions;
  readonly log: RunnerLogger;
  readonly onRetry?: (error: unknown, attempt: number, topic: string, partition: number) => void;
  readonly onFatal?: (error: unknown) => void;
}

/** The partition the work belongs to, and the fetch's liveness hooks. */
export interface RetryScope {
  readonly topic: string;
  readonly partition: number;
  readonly heartbeat: () => Promise<void>;
  readonly isRunning: () => boolean;
  /** The member rejoined the group since the fetch: the partition may be another member's now. */
  readonly superseded?: () => boolean;
}

export type RetryOutcome<T> =
  { readonly done: true; readonly value: T } | { readonly done: false; readonly reason: AbandonReason };

export interface RetriedWork<T> {
  /** Names the work in log lines. */
  readonly what: string;
  readonly run: () => Promise<T>;
  readonly decide: (error: unknown) => RetryDecision;
  /** Before the next attempt, e.g. a fresh producer after a failed transaction. */
  readonly beforeRetry?: () => Promise<void>;
}

const REBALANCE = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);

/** A heartbeat refused because the group is rebalancing or this member left it. */
function isRebalance(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE.has(type);
}

/**
 * Runs `work` until it succeeds. Retrying holds the partition: the fetch that called this does not
 * return, so nothing later in the partition is fetched or handled; heartbeats keep the member in
 * the group. The work is given up when the service stops ('stopped'), when a heartbeat says the
 * group is rebalancing ('rebalanced': whoever owns the partition next redoes it from the committed
 * offset) or when `decide` abandons it ('fenced': another member owns the partition now). `stop`
 * reports the error and rethrows it.
 */
export async function retryUntilStopped<T>(
  work: RetriedWork<T>,
  scope: RetryScope,
  policy: RetryPolicy,
): Promise<RetryOutcome<T>> {
  const { topic, partition } = scope;
  for (let attempt = 0; ; attempt++) {
    try {
      return { done: true, value: await work.run() };
    } catch (error) {
      const decision = work.decide(error);
      if (decision === 'stop') {
        policy.log.error(`${work.what} failed with a non-retriable error; stopping so nothing is skipped`, {
          topic,
          partition,
          error: String(error),
        });
        policy.onFatal?.(error);
        throw error;
      }
      if (decision === 'abandon') {
        policy.log.warn(`${work.what} abandoned: partition moved to another member`, { topic, partition });
        return { done: false, reason: 'fenced' };
      }
      policy.onRetry?.(error, attempt, topic, partition);
      policy.log.warn(`${work.what} failed; partition paused while retrying`, {
        topic,
        partition,
        attempt,
        error: String(error),
      });
      await work.beforeRetry?.();
      await sleep(backoffDelayMs(attempt, policy.backoff));
      const rebalancing = await scope.heartbeat().then(
        () => false,
        (heartbeatError: unknown) => isRebalance(heartbeatError),
      );
      if (!scope.isRunning()) return { done: false, reason: 'stopped' };
      if (rebalancing || scope.superseded?.()) {
        // The partition may move: a member that kept retrying would fence its next owner.
        policy.log.warn(`${work.what} given up: the group is rebalancing`, { topic, partition });
        return { done: false, reason: 'rebalanced' };
      }
    }
  }
}
