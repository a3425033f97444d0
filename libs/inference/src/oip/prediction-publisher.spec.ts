import type { OutputMessage } from '@streamscore/kafka';
import { PredictionPublisher, type DropReason } from './prediction-publisher';

/** An item: its id and how many records it makes, each to `topic`. */
interface Item {
  readonly id: string;
  readonly rows: number;
  readonly topic?: string;
}

/** A producer whose sends succeed unless `failures` says how many of the next ones fail. */
function fakeProducer() {
  const sent: { topic: string; keys: string[] }[] = [];
  const state = {
    failures: 0,
    /** Topics whose next send fails once. */
    failOnce: new Set<string>(),
    disconnects: 0,
    hold: undefined as Promise<void> | undefined,
  };
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => {
      state.disconnects += 1;
      return Promise.resolve();
    },
    send: async ({ topic, messages }: { topic: string; messages: { key?: unknown }[] }) => {
      await state.hold;
      if (state.failOnce.delete(topic)) throw new Error(`${topic} away`);
      if (state.failures > 0) {
        state.failures -= 1;
        throw new Error('broker away');
      }
      sent.push({ topic, keys: messages.map((m) => String(m.key)) });
      return [];
    },
  };
  return { producer, sent, state };
}

function setUp(capacity = 100, unbuildable = '') {
  const { producer, sent, state } = fakeProducer();
  const counts = { published: 0, failedSends: 0, dropped: new Map<DropReason, number>() };
  const publisher = new PredictionPublisher<Item>({
    producer,
    capacity,
    recordsOf: (item) => {
      if (item.id === unbuildable) throw new TypeError(`cannot encode ${item.id}`);
      return Array.from({ length: item.rows }, (_, row): OutputMessage => ({
        topic: item.topic ?? 'p',
        key: `${item.id}/${row}`,
        value: null,
      }));
    },
    weightOf: (item) => item.rows,
    events: {
      published: (n) => (counts.published += n),
      dropped: (reason, n) => counts.dropped.set(reason, (counts.dropped.get(reason) ?? 0) + n),
      sendFailed: () => (counts.failedSends += 1),
    },
    backoff: { initialMs: 1, maxMs: 2 },
  });
  return { publisher, sent, state, counts };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PredictionPublisher', () => {
  it('should not send during offer(): the records go after the caller has moved on', async () => {
    const { publisher, sent, counts } = setUp();
    publisher.offer({ id: 'a', rows: 2 });
    expect(sent).toEqual([]);
    await publisher.close(1_000);
    expect(sent).toEqual([{ topic: 'p', keys: ['a/0', 'a/1'] }]);
    expect(counts.published).toBe(2);
  });

  it('should send what was offered during a send in the next one, together', async () => {
    const { publisher, sent, state } = setUp();
    let release = (): void => undefined;
    state.hold = new Promise((resolve) => (release = resolve));
    publisher.offer({ id: 'a', rows: 1 });
    await settle();
    publisher.offer({ id: 'b', rows: 1 });
    publisher.offer({ id: 'c', rows: 1 });
    release();
    await publisher.close(1_000);
    expect(sent.map((s) => s.keys)).toEqual([['a/0'], ['b/0', 'c/0']]);
  });

  it('should drop and count what does not fit instead of waiting', async () => {
    const { publisher, counts } = setUp(3);
    publisher.offer({ id: 'a', rows: 2 });
    publisher.offer({ id: 'b', rows: 2 });
    await publisher.close(1_000);
    expect([counts.published, counts.dropped.get('queue_full')]).toEqual([2, 2]);
  });

  it('should send a failed batch again after a backoff, only to the topics not acknowledged yet', async () => {
    const { publisher, sent, state, counts } = setUp();
    state.failOnce.add('s');
    publisher.offer({ id: 'a', rows: 1, topic: 'p' });
    publisher.offer({ id: 'b', rows: 1, topic: 's' });
    await publisher.close(1_000);
    expect(sent).toEqual([
      { topic: 'p', keys: ['a/0'] },
      { topic: 's', keys: ['b/0'] },
    ]);
    expect([counts.failedSends, counts.published]).toEqual([1, 2]);
  });

  it('should count an item whose records cannot be built as dropped and publish the others', async () => {
    const { publisher, sent, counts } = setUp(100, 'b');
    publisher.offer({ id: 'a', rows: 1 });
    publisher.offer({ id: 'b', rows: 2 });
    publisher.offer({ id: 'c', rows: 1 });
    await publisher.close(1_000);
    expect(sent).toEqual([{ topic: 'p', keys: ['a/0', 'c/0'] }]);
    expect([counts.published, counts.dropped.get('unbuildable')]).toEqual([2, 2]);
  });

  it('should retry while the broker is away and count each failed send', async () => {
    const { publisher, sent, state, counts } = setUp();
    state.failures = 3;
    publisher.offer({ id: 'a', rows: 2 });
    await publisher.close(5_000);
    expect(sent).toEqual([{ topic: 'p', keys: ['a/0', 'a/1'] }]);
    expect([counts.failedSends, counts.published, counts.dropped.size]).toEqual([3, 2, 0]);
  });

  it('should give up at the close deadline, count what is left as dropped, disconnect, and drop later offers', async () => {
    const { publisher, state, counts } = setUp();
    state.failures = Number.MAX_SAFE_INTEGER;
    publisher.offer({ id: 'a', rows: 2 });
    await publisher.close(50);
    publisher.offer({ id: 'b', rows: 1 });
    expect([counts.published, counts.dropped.get('shutdown'), state.disconnects]).toEqual([0, 3, 1]);
  });
});
