import { RetriableError } from '@streamscore/contracts';
import type { RunnerLogger } from './batch-types';
import { retryUntilStopped, type RetriedWork, type RetryPolicy, type RetryScope } from './retry-policy';

const NO_WAIT = { initialMs: 0, maxMs: 0 };
const QUIET: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A scope whose hooks record calls into `events` (shared with the work, to check the order). */
function scopeOf(events: string[], running: () => boolean = () => true): RetryScope {
  return {
    topic: 'in',
    partition: 3,
    heartbeat: () => {
      events.push('heartbeat');
      return Promise.resolve();
    },
    isRunning: running,
  };
}

/** Work that fails with `failures` (in order), then resolves with 'ok'. */
function failingThen(
  events: string[],
  failures: readonly Error[],
  decide: RetriedWork<string>['decide'] = () => 'retry',
): RetriedWork<string> & { attempts: () => number } {
  let attempts = 0;
  return {
    what: 'work',
    run: () => {
      const failure = failures[attempts];
      attempts++;
      events.push(`run ${attempts}`);
      return failure ? Promise.reject(failure) : Promise.resolve('ok');
    },
    decide,
    beforeRetry: () => {
      events.push('beforeRetry');
      return Promise.resolve();
    },
    attempts: () => attempts,
  };
}

describe('retryUntilStopped', () => {
  it('should retry until the work succeeds, reporting each retry with its attempt number', async () => {
    const events: string[] = [];
    const errors = [new RetriableError('redis down'), new RetriableError('still down')];
    const onRetry = jest.fn();
    const onFatal = jest.fn();
    const work = failingThen(events, errors);

    const outcome = await retryUntilStopped(work, scopeOf(events), {
      backoff: NO_WAIT,
      log: QUIET,
      onRetry,
      onFatal,
    });

    expect(outcome).toEqual({ done: true, value: 'ok' });
    expect(work.attempts()).toBe(3);
    expect(onRetry.mock.calls).toEqual([
      [errors[0], 0, 'in', 3],
      [errors[1], 1, 'in', 3],
    ]);
    expect(events.filter((e) => e === 'heartbeat')).toHaveLength(2);
    expect(onFatal).not.toHaveBeenCalled();
  });

  it('should prepare each retry (beforeRetry) after the failure and before the next attempt', async () => {
    const events: string[] = [];
    const work = failingThen(events, [new Error('a'), new Error('b')]);

    await retryUntilStopped(work, scopeOf(events), { backoff: NO_WAIT, log: QUIET });

    expect(events).toEqual([
      'run 1',
      'beforeRetry',
      'heartbeat',
      'run 2',
      'beforeRetry',
      'heartbeat',
      'run 3',
    ]);
  });

  it('should not call beforeRetry when the first attempt succeeds', async () => {
    const events: string[] = [];
    const work = failingThen(events, []);

    await expect(retryUntilStopped(work, scopeOf(events), { backoff: NO_WAIT, log: QUIET })).resolves.toEqual(
      {
        done: true,
        value: 'ok',
      },
    );
    expect(events).toEqual(['run 1']);
  });

  it("should rethrow the very error on 'stop' and report it once to onFatal, without retrying", async () => {
    const events: string[] = [];
    const bug = new TypeError('cannot read properties of undefined');
    const onRetry = jest.fn();
    const onFatal = jest.fn();
    const error = jest.fn();
    const work = failingThen(events, [bug], () => 'stop');

    const outcome = retryUntilStopped(work, scopeOf(events), {
      backoff: NO_WAIT,
      log: { ...QUIET, error },
      onRetry,
      onFatal,
    });

    await expect(outcome).rejects.toBe(bug);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal).toHaveBeenCalledWith(bug);
    expect(error).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
    expect(events).toEqual(['run 1']);
  });

  it('should stop on a later attempt too, after retrying the earlier failures', async () => {
    const events: string[] = [];
    const bug = new Error('a bug');
    const onRetry = jest.fn();
    const onFatal = jest.fn();
    const work = failingThen(events, [new RetriableError('down'), bug], (e) =>
      e === bug ? 'stop' : 'retry',
    );

    await expect(
      retryUntilStopped(work, scopeOf(events), { backoff: NO_WAIT, log: QUIET, onRetry, onFatal }),
    ).rejects.toBe(bug);
    expect(work.attempts()).toBe(2);
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal).toHaveBeenCalledWith(bug);
  });

  it("should give the work up as 'fenced' on 'abandon', without retrying or stopping", async () => {
    const events: string[] = [];
    const fenced = Object.assign(new Error('fenced'), { type: 'PRODUCER_FENCED' });
    const onRetry = jest.fn();
    const onFatal = jest.fn();
    const work = failingThen(events, [fenced], () => 'abandon');

    const outcome = await retryUntilStopped(work, scopeOf(events), {
      backoff: NO_WAIT,
      log: QUIET,
      onRetry,
      onFatal,
    });

    expect(outcome).toEqual({ done: false, reason: 'fenced' });
    expect(events).toEqual(['run 1']);
    expect(onRetry).not.toHaveBeenCalled();
    expect(onFatal).not.toHaveBeenCalled();
  });

  it("should give the work up as 'stopped' when the fetch is no longer running after a failure", async () => {
    const events: string[] = [];
    let running = true;
    const onRetry = jest.fn(() => {
      running = false;
    });
    const work = failingThen(events, [new RetriableError('down'), new RetriableError('down')]);

    const outcome = await retryUntilStopped(
      work,
      scopeOf(events, () => running),
      { backoff: NO_WAIT, log: QUIET, onRetry },
    );

    expect(outcome).toEqual({ done: false, reason: 'stopped' });
    expect(work.attempts()).toBe(1);
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('should keep retrying when a heartbeat fails for another reason (e.g. the coordinator moved)', async () => {
    const events: string[] = [];
    const scope: RetryScope = {
      ...scopeOf(events),
      heartbeat: () => {
        events.push('heartbeat');
        return Promise.reject(Object.assign(new Error('not coordinator'), { type: 'NOT_COORDINATOR' }));
      },
    };
    const work = failingThen(events, [new RetriableError('down')]);

    await expect(retryUntilStopped(work, scope, { backoff: NO_WAIT, log: QUIET })).resolves.toEqual({
      done: true,
      value: 'ok',
    });
    expect(events).toEqual(['run 1', 'beforeRetry', 'heartbeat', 'run 2']);
  });

  it.each(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION'])(
    "should give the work up as 'rebalanced' when a heartbeat answers %s (the partition may move)",
    async (type) => {
      const events: string[] = [];
      const scope: RetryScope = {
        ...scopeOf(events),
        heartbeat: () => {
          events.push('heartbeat');
          return Promise.reject(Object.assign(new Error(type), { type }));
        },
      };
      const work = failingThen(events, [new RetriableError('down')]);

      await expect(retryUntilStopped(work, scope, { backoff: NO_WAIT, log: QUIET })).resolves.toEqual({
        done: false,
        reason: 'rebalanced',
      });
      expect(events).toEqual(['run 1', 'beforeRetry', 'heartbeat']);
    },
  );

  describe('backoff', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('should wait the backoff (50–100 ms for the first retry of 100 ms) before the next attempt', async () => {
      const events: string[] = [];
      const work = failingThen(events, [new RetriableError('down')]);
      const policy: RetryPolicy = { backoff: { initialMs: 100, maxMs: 1_000 }, log: QUIET };

      const outcome = retryUntilStopped(work, scopeOf(events), policy);
      await jest.advanceTimersByTimeAsync(49);
      expect(work.attempts()).toBe(1);
      await jest.advanceTimersByTimeAsync(51);
      expect(work.attempts()).toBe(2);
      await expect(outcome).resolves.toEqual({ done: true, value: 'ok' });
    });
  });
});
