import { RetriableError } from '@streamscore/contracts';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type {
  AbandonReason,
  BatchDelivered,
  BatchHandler,
  HandledBatch,
  PartitionBatch,
} from './batch-types';
import { PartitionBatchRunner, type PartitionBatchRunnerOptions } from './fetch-loop';

// The fetch loop's decisions, driven through a fake Kafka: the eachBatch that the runner hands
// consumer.run() is called with fake fetches, and every fake records what it was asked to do in one
// ordered log, so the assertions can check both what landed and in which order.

const GROUP = 'g';
const IN = 'in';
const OUT = 'out';
const NO_WAIT = { initialMs: 0, maxMs: 0 };
const CONSUMER_EVENTS = {
  GROUP_JOIN: 'consumer.group_join',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CRASH: 'consumer.crash',
} as const;

// ---- fakes -------------------------------------------------------------------------------------

interface Tx {
  readonly index: number;
  readonly producer: string;
  readonly outputs: string[];
  readonly offsets: string[];
  group: string | undefined;
  state: 'open' | 'committed' | 'aborted';
}

type TxStep = 'sendBatch' | 'sendOffsets' | 'commit';

interface TopicMessagesArg {
  readonly topicMessages: readonly {
    topic: string;
    messages: readonly { value: Buffer | string | null }[];
  }[];
  readonly acks?: number;
}
interface SendOffsetsArg {
  readonly consumerGroupId: string;
  readonly topics: readonly {
    topic: string;
    partitions: readonly { partition: number; offset: string }[];
  }[];
}

const outputsOf = ({ topicMessages }: TopicMessagesArg): string[] =>
  topicMessages.flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.value)}`));

/** Just enough of kafkajs' Kafka for the runner: one consumer, producers, one admin. */
class FakeKafka {
  /** Everything asked of the fakes (and the test handlers), in order. */
  readonly log: string[] = [];
  readonly transactions: Tx[] = [];
  readonly producerConfigs: { transactionalId?: string; idempotent?: boolean }[] = [];
  /** The committed group offsets the admin answers with, by "topic:partition". */
  readonly committed = new Map<string, string>();
  /** Called before each transaction step takes effect: reject to fail it, or hold it. */
  txStep: (step: TxStep, tx: Tx) => Promise<void> = () => Promise.resolve();
  /** How many of the next admin.fetchOffsets calls fail (retriable). */
  fetchOffsetsFailures = 0;
  eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  runConfig: { autoCommit?: boolean; eachBatchAutoResolve?: boolean; eachBatch: unknown } | undefined;
  consumerConfig: { groupId: string; readUncommitted?: boolean } | undefined;
  private readonly listeners = new Map<string, ((event: { payload: unknown }) => void)[]>();
  private readonly awaited = new Map<string, () => void>();

  /** Appends to the log. */
  note(line: string): void {
    this.log.push(line);
    this.awaited.get(line)?.();
  }

  /** Resolves once `line` is logged (or after `ms`, so a runner that never gets there fails a test instead of hanging it). */
  logged(line: string, ms = 300): Promise<void> {
    if (this.log.includes(line)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.awaited.set(line, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get kafka(): Kafka {
    return this as unknown as Kafka;
  }

  emit(event: string, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener({ payload });
  }

  committedTxs(): Pick<Tx, 'producer' | 'outputs' | 'offsets'>[] {
    return this.transactions
      .filter((t) => t.state === 'committed')
      .map(({ producer, outputs, offsets }) => ({ producer, outputs, offsets }));
  }

  consumer(config: { groupId: string; readUncommitted?: boolean }): unknown {
    this.consumerConfig = config;
    const log = (line: string): Promise<void> => {
      this.note(line);
      return Promise.resolve();
    };
    return {
      events: CONSUMER_EVENTS,
      on: (event: string, listener: (event: { payload: unknown }) => void) => {
        this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
        return () => undefined;
      },
      connect: () => log('consumer connect'),
      subscribe: () => Promise.resolve(),
      run: (config: {
        autoCommit?: boolean;
        eachBatchAutoResolve?: boolean;
        eachBatch: (payload: EachBatchPayload) => Promise<void>;
      }) => {
        this.runConfig = config;
        this.eachBatch = config.eachBatch;
        return Promise.resolve();
      },
      disconnect: () => log('consumer disconnect'),
      commitOffsets: (offsets: readonly { topic: string; partition: number; offset: string }[]) =>
        log(`consumer commit ${offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`).join(',')}`),
      pause: (topics: readonly { topic: string }[]) => {
        this.note(`pause ${topics.map((t) => t.topic).join(',')}`);
      },
      resume: (topics: readonly { topic: string }[]) => {
        this.note(`resume ${topics.map((t) => t.topic).join(',')}`);
      },
    };
  }

  /**
   * Like kafkajs 2.2.4's: connect() gets a plain idempotent producer id; the transactional id is
   * initialised (InitProducerId, which fences its previous holder) by the first transaction().
   */
  producer(config: { transactionalId?: string; idempotent?: boolean }): unknown {
    this.producerConfigs.push(config);
    const name = config.transactionalId ?? 'producer';
    let initialised = false;
    const log = (line: string): Promise<void> => {
      this.note(line);
      return Promise.resolve();
    };
    return {
      connect: () => log(`connect ${name}`),
      disconnect: () => log(`disconnect ${name}`),
      sendBatch: (arg: TopicMessagesArg) => log(`send acks=${String(arg.acks)} ${outputsOf(arg).join(',')}`),
      transaction: () => {
        if (!initialised) this.note(`init ${name}`);
        initialised = true;
        // Like kafkajs, a transaction exists for the broker once something is added to it: an
        // empty one (connectTransactional's, which only runs the init) is begun and aborted locally.
        let tx: Tx | undefined;
        const begun = (): Tx => {
          if (tx) return tx;
          tx = {
            index: this.transactions.length,
            producer: name,
            outputs: [],
            offsets: [],
            group: undefined,
            state: 'open',
          };
          this.transactions.push(tx);
          this.note(`begin ${name}`);
          return tx;
        };
        return Promise.resolve({
          sendBatch: async (arg: TopicMessagesArg) => {
            const t = begun();
            await this.txStep('sendBatch', t);
            t.outputs.push(...outputsOf(arg));
          },
          sendOffsets: async ({ consumerGroupId, topics }: SendOffsetsArg) => {
            const t = begun();
            await this.txStep('sendOffsets', t);
            t.group = consumerGroupId;
            const offsets = topics.flatMap((topic) =>
              topic.partitions.map((p) => `${topic.topic}:${p.partition}@${p.offset}`),
            );
            t.offsets.push(...offsets);
            this.note(`offsets ${name} ${offsets.join(',')}`);
          },
          commit: async () => {
            const t = begun();
            await this.txStep('commit', t);
            t.state = 'committed';
            this.note(`commit ${name}`);
          },
          abort: () => {
            if (!tx) return log(`abort empty ${name}`);
            tx.state = 'aborted';
            return log(`abort ${name}`);
          },
        });
      },
    };
  }

  admin(): unknown {
    return {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      fetchOffsets: ({ groupId, topics }: { groupId: string; topics: readonly string[] }) => {
        this.note(`fetchOffsets ${groupId}`);
        if (this.fetchOffsetsFailures-- > 0) return Promise.reject(new Error('COORDINATOR_LOAD_IN_PROGRESS'));
        return Promise.resolve(
          topics.map((topic) => ({
            topic,
            partitions: [...this.committed]
              .filter(([key]) => key.startsWith(`${topic}:`))
              .map(([key, offset]) => ({ partition: Number(key.slice(topic.length + 1)), offset })),
          })),
        );
      },
    };
  }
}

/** One fetched batch of a partition, and what the runner did with it. */
interface Fetch {
  readonly payload: EachBatchPayload;
  readonly resolved: string[];
  heartbeats: number;
  running: boolean;
  stale: boolean;
}

function message(offset: number): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(`v${offset}`),
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
    headers: {},
  };
}

/**
 * A fetch holding `offsets`; `lastOffset` is the batch's last offset when control records (a
 * transaction's commit marker) follow the last message.
 */
function fetchOf(
  offsets: readonly number[],
  options: { partition?: number; lastOffset?: number } = {},
): Fetch {
  const messages = offsets.map(message);
  const last = options.lastOffset ?? offsets[offsets.length - 1] ?? 0;
  const fetch: Fetch = {
    resolved: [],
    heartbeats: 0,
    running: true,
    stale: false,
    payload: {
      batch: {
        topic: IN,
        partition: options.partition ?? 0,
        highWatermark: String(last + 1),
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => messages[0]?.offset ?? null,
        lastOffset: () => String(last),
        offsetLag: () => '0',
        offsetLagLow: () => '0',
      },
      resolveOffset: (offset) => {
        fetch.resolved.push(offset);
      },
      heartbeat: () => {
        fetch.heartbeats++;
        return Promise.resolve();
      },
      pause: () => () => undefined,
      commitOffsetsIfNecessary: () => Promise.resolve(),
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => fetch.running,
      isStale: () => fetch.stale,
    },
  };
  return fetch;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What a test handler saw and what the transport reported back. */
interface Seen {
  readonly batches: string[][];
  readonly delivered: BatchDelivered[];
  readonly abandoned: { firstOffset: string; reason: AbandonReason }[];
}

/**
 * A handler that forwards each record's value to `out` (its HandledBatch from `result` when given)
 * and logs `handle <partition>:<first offset>` into the fake's log.
 */
function echoHandler(
  fake: FakeKafka,
  options: {
    before?: (batch: PartitionBatch, call: number) => Promise<void>;
    result?: (batch: PartitionBatch) => Partial<HandledBatch>;
  } = {},
): BatchHandler & { seen: Seen } {
  const seen: Seen = { batches: [], delivered: [], abandoned: [] };
  let calls = 0;
  return {
    seen,
    handle: async (batch) => {
      const call = calls++;
      const first = batch.messages[0]?.offset ?? '';
      fake.note(`handle ${batch.partition}:${first}`);
      seen.batches.push(batch.messages.map((m) => m.offset));
      await options.before?.(batch, call);
      return {
        outputs: batch.messages.map((m) => ({ topic: OUT, key: null, value: m.value })),
        delivered: (info) => {
          fake.note(`delivered ${info.partition}:${info.firstOffset}`);
          seen.delivered.push(info);
        },
        abandoned: (reason) => {
          seen.abandoned.push({ firstOffset: first, reason });
        },
        ...options.result?.(batch),
      };
    },
  };
}

async function startRunner(
  fake: FakeKafka,
  options: Omit<PartitionBatchRunnerOptions, 'kafka' | 'groupId' | 'topics'>,
): Promise<PartitionBatchRunner> {
  const runner = new PartitionBatchRunner({
    kafka: fake.kafka,
    groupId: GROUP,
    topics: [IN],
    backoff: NO_WAIT,
    ...options,
  });
  await runner.start();
  return runner;
}

function run(fake: FakeKafka, fetch: Fetch): Promise<void> {
  if (!fake.eachBatch) throw new Error('the runner did not call consumer.run()');
  return fake.eachBatch(fetch.payload);
}

const fenced = (): Error =>
  Object.assign(new Error('There is a newer producer with the same transactionalId'), {
    type: 'PRODUCER_FENCED',
  });
const values = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${OUT}:v${from + i}`);

// ---- tests -------------------------------------------------------------------------------------

describe('PartitionBatchRunner (fake Kafka)', () => {
  let fake: FakeKafka;

  beforeEach(() => {
    fake = new FakeKafka();
  });

  it('should consume read_committed with manual offsets: no auto commit, no auto resolve', async () => {
    await startRunner(fake, { handler: echoHandler(fake) });

    expect(fake.consumerConfig).toMatchObject({ groupId: GROUP, readUncommitted: false });
    expect(fake.runConfig).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false });
  });

  describe('micro-batches', () => {
    it('should hand a fetch of 7 records to the handler as ceil(7/3) = 3 micro-batches, in order, each committed with its own outputs', async () => {
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 3 });
      const fetch = fetchOf([0, 1, 2, 3, 4, 5, 6]);

      await run(fake, fetch);

      expect(handler.seen.batches).toEqual([['0', '1', '2'], ['3', '4', '5'], ['6']]);
      expect(fake.committedTxs()).toEqual([
        { producer: 'g.in.0', outputs: values(0, 3), offsets: ['in:0@3'] },
        { producer: 'g.in.0', outputs: values(3, 6), offsets: ['in:0@6'] },
        { producer: 'g.in.0', outputs: values(6, 7), offsets: ['in:0@7'] },
      ]);
      expect(fake.transactions.map((t) => t.group)).toEqual([GROUP, GROUP, GROUP]);
      expect(fetch.resolved).toEqual(['2', '5', '6']);
      // A heartbeat after each delivered micro-batch keeps a long fetch in the group.
      expect(fetch.heartbeats).toBe(3);
    });

    it('should report each delivered micro-batch once, with its first offset and row count', async () => {
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 3 });

      await run(fake, fetchOf([10, 11, 12, 13, 14]));

      expect(handler.seen.delivered).toHaveLength(2);
      expect(handler.seen.delivered).toEqual([
        expect.objectContaining({ topic: IN, partition: 0, firstOffset: '10', rows: 3, outputs: 3 }),
        expect.objectContaining({ topic: IN, partition: 0, firstOffset: '13', rows: 2, outputs: 2 }),
      ]);
      // Reported after its transaction committed, never before.
      expect(fake.log.indexOf('delivered 0:10')).toBeGreaterThan(fake.log.indexOf('commit g.in.0'));
      expect(handler.seen.abandoned).toEqual([]);
    });

    it('should commit the last micro-batch past trailing control records, and report the partition skipped to there', async () => {
      const skipped = jest.fn();
      const handler = { ...echoHandler(fake), skipped };
      await startRunner(fake, { handler, maxBatchRows: 3 });
      // Offset 5 is the commit marker of the producer's transaction: not a message.
      const fetch = fetchOf([0, 1, 2, 3, 4], { lastOffset: 5 });

      await run(fake, fetch);

      expect(fake.committedTxs().map((t) => t.offsets)).toEqual([['in:0@3'], ['in:0@6']]);
      expect(fetch.resolved).toEqual(['2', '5']);
      expect(skipped.mock.calls).toEqual([[{ topic: IN, partition: 0, nextOffset: 6 }]]);
    });

    it('should not report a skip when the fetch ends with a message', async () => {
      const skipped = jest.fn();
      await startRunner(fake, { handler: { ...echoHandler(fake), skipped }, maxBatchRows: 3 });

      await run(fake, fetchOf([0, 1, 2, 3]));

      expect(fake.committedTxs()).toHaveLength(2);
      expect(skipped).not.toHaveBeenCalled();
    });

    it('should commit the offsets of a micro-batch without outputs', async () => {
      const handler = echoHandler(fake, { result: () => ({ outputs: [] }) });
      await startRunner(fake, { handler });

      await run(fake, fetchOf([0, 1]));

      expect(fake.committedTxs()).toEqual([{ producer: 'g.in.0', outputs: [], offsets: ['in:0@2'] }]);
      expect(handler.seen.delivered).toEqual([expect.objectContaining({ rows: 2, outputs: 0 })]);
    });

    it('should stop handing micro-batches once the fetch is stale (a seek)', async () => {
      const fetch = fetchOf([0, 1, 2, 3, 4, 5]);
      const handler = echoHandler(fake, {
        before: () => {
          fetch.stale = true;
          return Promise.resolve();
        },
      });
      await startRunner(fake, { handler, maxBatchRows: 2 });

      await run(fake, fetch);

      expect(handler.seen.batches).toEqual([['0', '1']]);
      expect(fake.committedTxs().map((t) => t.offsets)).toEqual([['in:0@2']]);
      expect(fetch.resolved).toEqual(['1']);
    });
  });

  describe('the stable committed start (exactly-once, each-batch)', () => {
    it('should connect the partition producer before reading the committed offset, and read it before handling', async () => {
      await startRunner(fake, { handler: echoHandler(fake) });

      await run(fake, fetchOf([0]));

      const connect = fake.log.indexOf('connect g.in.0');
      const read = fake.log.indexOf('fetchOffsets g');
      expect(connect).toBeGreaterThanOrEqual(0);
      expect(read).toBeGreaterThan(connect);
      expect(fake.log.indexOf('handle 0:0')).toBeGreaterThan(read);
    });

    // On the real broker: fencing.int.spec.ts, "... while handling its first micro-batch". kafkajs
    // 2.2.4 initialises a transactional id at the first transaction(), not at connect().
    it('should initialise the partition transactional id (fencing the previous owner) before reading the committed offset', async () => {
      await startRunner(fake, { handler: echoHandler(fake) });

      await run(fake, fetchOf([0]));

      const init = fake.log.indexOf('init g.in.0');
      expect(init).toBeGreaterThanOrEqual(0);
      expect(fake.log.indexOf('fetchOffsets g')).toBeGreaterThan(init);
    });

    it('should skip the records below the committed offset (the previous owner delivered them)', async () => {
      fake.committed.set('in:0', '4');
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 3 });
      const fetch = fetchOf([2, 3, 4, 5, 6, 7]);

      await run(fake, fetch);

      expect(handler.seen.batches).toEqual([['4', '5', '6'], ['7']]);
      expect(fake.committedTxs()).toEqual([
        { producer: 'g.in.0', outputs: values(4, 7), offsets: ['in:0@7'] },
        { producer: 'g.in.0', outputs: values(7, 8), offsets: ['in:0@8'] },
      ]);
      expect(handler.seen.delivered.map((d) => d.firstOffset)).toEqual(['4', '7']);
    });

    it('should only move the position past a fetch that lies wholly below the committed offset', async () => {
      fake.committed.set('in:0', '10');
      const handler = echoHandler(fake);
      await startRunner(fake, { handler });
      const fetch = fetchOf([7, 8, 9]);

      await run(fake, fetch);

      expect(handler.seen.batches).toEqual([]);
      expect(fake.transactions).toEqual([]);
      expect(fetch.resolved).toEqual(['9']);
    });

    it('should read the committed offset once per assignment, and again after a new one', async () => {
      await startRunner(fake, { handler: echoHandler(fake) });
      const reads = () => fake.log.filter((l) => l === 'fetchOffsets g').length;

      await run(fake, fetchOf([0]));
      await run(fake, fetchOf([1]));
      expect(reads()).toBe(1);

      fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { memberAssignment: { [IN]: [0] } });
      await run(fake, fetchOf([2]));
      expect(reads()).toBe(2);
    });

    it('should retry reading the committed offset until it answers', async () => {
      const onRetry = jest.fn();
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, onRetry });
      fake.fetchOffsetsFailures = 2;

      await run(fake, fetchOf([0]));

      expect(fake.log.filter((l) => l === 'fetchOffsets g')).toHaveLength(3);
      expect(onRetry).toHaveBeenCalledTimes(2);
      expect(handler.seen.batches).toEqual([['0']]);
      expect(fake.committedTxs()).toHaveLength(1);
    });
  });

  describe('handler failures: the one error rule', () => {
    it('should retry a RetriableError and then deliver the micro-batch once', async () => {
      const error = new RetriableError('redis down');
      const onRetry = jest.fn();
      const onFatal = jest.fn();
      const handler = echoHandler(fake, {
        before: (_batch, call) => (call < 2 ? Promise.reject(error) : Promise.resolve()),
      });
      await startRunner(fake, { handler, onRetry, onFatal });
      const fetch = fetchOf([0, 1]);

      await run(fake, fetch);

      expect(handler.seen.batches).toEqual([
        ['0', '1'],
        ['0', '1'],
        ['0', '1'],
      ]);
      expect(onRetry.mock.calls).toEqual([
        [error, 0, IN, 0],
        [error, 1, IN, 0],
      ]);
      expect(fake.committedTxs()).toEqual([
        { producer: 'g.in.0', outputs: values(0, 2), offsets: ['in:0@2'] },
      ]);
      expect(fake.transactions).toHaveLength(1);
      expect(handler.seen.delivered).toHaveLength(1);
      expect(onFatal).not.toHaveBeenCalled();
    });

    it('should stop on a plain Error: eachBatch rejects, onFatal is told, nothing of that micro-batch or later ones lands', async () => {
      const bug = new Error('a bug');
      const onFatal = jest.fn();
      const onRetry = jest.fn();
      const handler = echoHandler(fake, {
        before: (batch) => (batch.messages[0]?.offset === '2' ? Promise.reject(bug) : Promise.resolve()),
      });
      await startRunner(fake, { handler, maxBatchRows: 2, onFatal, onRetry });
      const fetch = fetchOf([0, 1, 2, 3, 4, 5]);

      await expect(run(fake, fetch)).rejects.toBe(bug);

      expect(onFatal.mock.calls).toEqual([[bug]]);
      expect(onRetry).not.toHaveBeenCalled();
      expect(handler.seen.batches).toEqual([
        ['0', '1'],
        ['2', '3'],
      ]);
      expect(fake.transactions).toHaveLength(1);
      expect(fake.committedTxs()).toEqual([
        { producer: 'g.in.0', outputs: values(0, 2), offsets: ['in:0@2'] },
      ]);
      expect(fetch.resolved).toEqual(['1']);
    });

    it('should stop on a plain Error with overlapped delivery too, after delivering the micro-batch before it', async () => {
      const bug = new TypeError('cannot read properties of undefined');
      const onFatal = jest.fn();
      const handler = echoHandler(fake, {
        before: (batch) => (batch.messages[0]?.offset === '2' ? Promise.reject(bug) : Promise.resolve()),
      });
      await startRunner(fake, { handler, maxBatchRows: 2, overlapDelivery: true, onFatal });
      const fetch = fetchOf([0, 1, 2, 3, 4, 5]);

      await expect(run(fake, fetch)).rejects.toBe(bug);

      expect(onFatal.mock.calls).toEqual([[bug]]);
      expect(handler.seen.batches).toEqual([
        ['0', '1'],
        ['2', '3'],
      ]);
      expect(fake.committedTxs().map((t) => t.offsets)).toEqual([['in:0@2']]);
      expect(fetch.resolved).toEqual(['1']);
    });

    it('should deliver bad data like any output: dead letters go in the same transaction, nothing is retried or stopped', async () => {
      const onRetry = jest.fn();
      const onFatal = jest.fn();
      const handler = echoHandler(fake, {
        result: (batch) => ({
          outputs: batch.messages.map((m) =>
            m.offset === '1'
              ? { topic: 'dlq', key: null, value: m.value, headers: { 'streamscore-dlq-code': 'MALFORMED' } }
              : { topic: OUT, key: null, value: m.value },
          ),
        }),
      });
      await startRunner(fake, { handler, onRetry, onFatal });

      await run(fake, fetchOf([0, 1, 2]));

      expect(fake.committedTxs()).toEqual([
        { producer: 'g.in.0', outputs: ['out:v0', 'out:v2', 'dlq:v1'], offsets: ['in:0@3'] },
      ]);
      expect(handler.seen.batches).toHaveLength(1);
      expect(onRetry).not.toHaveBeenCalled();
      expect(onFatal).not.toHaveBeenCalled();
    });

    it('should give a micro-batch up without delivering it when the service stops while its handler is retried', async () => {
      const fetch = fetchOf([0, 1]);
      const handler = echoHandler(fake, {
        before: () => {
          fetch.running = false;
          return Promise.reject(new RetriableError('down'));
        },
      });
      await startRunner(fake, { handler });

      await run(fake, fetch);

      expect(handler.seen.batches).toHaveLength(1);
      expect(fake.transactions).toEqual([]);
      expect(fetch.resolved).toEqual([]);
    });
  });

  describe('delivery failures', () => {
    it("should not deliver a micro-batch handled before the member rejoined the group: abandoned('rebalanced')", async () => {
      const handler = echoHandler(fake, {
        before: (_batch, call) => {
          // The member rejoins while the first micro-batch is being handled.
          if (call === 0) fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { memberAssignment: { [IN]: [0] } });
          return Promise.resolve();
        },
      });
      await startRunner(fake, { handler, maxBatchRows: 2 });
      const fetch = fetchOf([0, 1, 2, 3]);

      await run(fake, fetch);

      expect(handler.seen.abandoned).toEqual([{ firstOffset: '0', reason: 'rebalanced' }]);
      expect(handler.seen.delivered).toEqual([]);
      // No producer was made for it: one made now would fence the partition's new owner.
      expect(fake.transactions).toEqual([]);
      expect(fetch.resolved).toEqual([]);
    });

    it("should stop retrying a failed delivery once the member rejoined the group, as 'rebalanced'", async () => {
      const fetch = fetchOf([0, 1]);
      let retries = 0;
      const onRetry = jest.fn(() => {
        fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { memberAssignment: { [IN]: [1] } });
        // Without the rule it would retry forever: end the fetch so the test fails instead of hanging.
        if (++retries > 3) fetch.running = false;
      });
      fake.txStep = (step) =>
        step === 'commit' ? Promise.reject(new Error('broker went away')) : Promise.resolve();
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, onRetry });

      await run(fake, fetch);

      expect(onRetry).toHaveBeenCalledTimes(1);
      expect(handler.seen.abandoned).toEqual([{ firstOffset: '0', reason: 'rebalanced' }]);
      expect(fake.committedTxs()).toEqual([]);
      expect(fetch.resolved).toEqual([]);
    });

    it('should not send again a delivery whose commit landed although its answer was lost', async () => {
      const onRetry = jest.fn();
      let lost = 1;
      fake.txStep = (step, tx) => {
        if (step !== 'commit' || lost-- <= 0) return Promise.resolve();
        // The broker completes the commit; the client only sees the connection drop (and aborts
        // locally, which the fake records as 'aborted').
        fake.committed.set(`in:0`, '2');
        expect(tx.offsets).toEqual(['in:0@2']);
        return Promise.reject(new Error('connection closed'));
      };
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 2, onRetry });
      const fetch = fetchOf([0, 1, 2, 3]);

      await run(fake, fetch);

      expect(onRetry).toHaveBeenCalledTimes(1);
      // The first micro-batch was not sent again: its only transaction is the one whose answer was lost.
      expect(fake.transactions.filter((t) => t.offsets.includes('in:0@2'))).toHaveLength(1);
      expect(fake.committedTxs().map((t) => t.offsets)).toEqual([['in:0@4']]);
      expect(handler.seen.delivered.map((d) => d.firstOffset)).toEqual(['0', '2']);
      expect(fetch.resolved).toEqual(['1', '3']);
    });

    it.each([
      ['kafkajs restarts the consumer after a crash', false, 'rebalanced'],
      ['the service stops', true, 'stopped'],
    ] as const)(
      "should give a failing delivery up when the fetch stops running because %s, as '%s'",
      async (_why, stopService, reason) => {
        const fetch = fetchOf([0, 1]);
        const started: { runner?: PartitionBatchRunner } = {};
        fake.txStep = (step) => {
          if (step !== 'commit') return Promise.resolve();
          fetch.running = false;
          if (stopService) void started.runner?.stop();
          return Promise.reject(new Error('broker went away'));
        };
        const handler = echoHandler(fake);
        started.runner = await startRunner(fake, { handler });

        await run(fake, fetch);

        expect(handler.seen.abandoned).toEqual([{ firstOffset: '0', reason }]);
        expect(handler.seen.delivered).toEqual([]);
        expect(fake.committedTxs()).toEqual([]);
        expect(fetch.resolved).toEqual([]);
      },
    );

    it('should retry a failed transaction with a fresh producer, the failed one aborted, and deliver once', async () => {
      const onRetry = jest.fn();
      let failures = 1;
      fake.txStep = (step) =>
        step === 'commit' && failures-- > 0
          ? Promise.reject(Object.assign(new Error('broker went away'), { retriable: false }))
          : Promise.resolve();
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 2, onRetry });
      const fetch = fetchOf([0, 1, 2, 3]);

      await run(fake, fetch);

      expect(fake.transactions.map((t) => t.state)).toEqual(['aborted', 'committed', 'committed']);
      expect(fake.committedTxs().map((t) => t.offsets)).toEqual([['in:0@2'], ['in:0@4']]);
      // The retry's producer is a new one: the failed one was disconnected, the new one initialised.
      const failedAt = fake.log.indexOf('abort g.in.0');
      expect(fake.log.slice(failedAt)).toEqual(
        expect.arrayContaining(['disconnect g.in.0', 'connect g.in.0']),
      );
      expect(fake.log.indexOf('connect g.in.0', failedAt)).toBeGreaterThan(
        fake.log.indexOf('disconnect g.in.0'),
      );
      expect(onRetry).toHaveBeenCalledTimes(1);
      expect(handler.seen.batches).toHaveLength(2);
      expect(handler.seen.delivered.map((d) => d.firstOffset)).toEqual(['0', '2']);
      expect(fetch.resolved).toEqual(['1', '3']);
    });

    it("should abandon a fenced delivery as 'fenced', without stopping, committing or moving the position", async () => {
      const onFatal = jest.fn();
      fake.txStep = (step) => (step === 'sendOffsets' ? Promise.reject(fenced()) : Promise.resolve());
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 2, onFatal });
      const fetch = fetchOf([0, 1, 2, 3]);

      await run(fake, fetch);

      expect(handler.seen.abandoned).toEqual([{ firstOffset: '0', reason: 'fenced' }]);
      expect(handler.seen.delivered).toEqual([]);
      expect(handler.seen.batches).toEqual([['0', '1']]);
      expect(fake.transactions.map((t) => t.state)).toEqual(['aborted']);
      expect(fake.log).toContain('disconnect g.in.0');
      expect(fetch.resolved).toEqual([]);
      expect(onFatal).not.toHaveBeenCalled();
    });

    // A member that still owns the partition is fenced when a former owner (a zombie) retries a
    // delivery with a fresh producer and commits. The owner's next fetch, from its own last resolved
    // offset, must skip what the zombie committed: after a fenced delivery the stable start is read again.
    it('should re-read the stable committed offset after being fenced, so records the new owner committed are not delivered again', async () => {
      let fences = 1;
      fake.txStep = (step) =>
        step === 'commit' && fences-- > 0 ? Promise.reject(fenced()) : Promise.resolve();
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 2 });

      await run(fake, fetchOf([0, 1, 2, 3]));
      expect(handler.seen.abandoned).toEqual([{ firstOffset: '0', reason: 'fenced' }]);
      // The member that fenced us delivered offsets 0–3 and committed 4.
      fake.committed.set('in:0', '4');
      // kafkajs fetches again from this member's position, 0: nothing was resolved.
      await run(fake, fetchOf([0, 1, 2, 3, 4, 5]));

      expect(fake.committedTxs()).toEqual([
        { producer: 'g.in.0', outputs: values(4, 6), offsets: ['in:0@6'] },
      ]);
    });
  });

  describe('overlapped delivery (each-batch)', () => {
    /** Holds the first transaction's commit until the handler has started the second micro-batch (or 300 ms passed). */
    function holdFirstCommitUntilSecondHandled(): void {
      fake.txStep = (step, tx) =>
        step === 'commit' && tx.index === 0 ? fake.logged('handle 0:2') : Promise.resolve();
    }

    it('should handle the next micro-batch while the current one is delivered', async () => {
      holdFirstCommitUntilSecondHandled();
      await startRunner(fake, { handler: echoHandler(fake), maxBatchRows: 2, overlapDelivery: true });

      await run(fake, fetchOf([0, 1, 2, 3, 4, 5]));

      // Handled once the first micro-batch was, and before that one's transaction committed.
      expect(fake.log.indexOf('handle 0:2')).toBeGreaterThan(fake.log.indexOf('handle 0:0'));
      expect(fake.log.indexOf('handle 0:2')).toBeLessThan(fake.log.indexOf('commit g.in.0'));
      expect(fake.committedTxs()).toHaveLength(3);
    });

    it('should not handle ahead without overlapDelivery', async () => {
      holdFirstCommitUntilSecondHandled();
      await startRunner(fake, { handler: echoHandler(fake), maxBatchRows: 2 });

      await run(fake, fetchOf([0, 1, 2, 3]));

      expect(fake.log.indexOf('commit g.in.0')).toBeGreaterThanOrEqual(0);
      expect(fake.log.indexOf('handle 0:2')).toBeGreaterThan(fake.log.indexOf('commit g.in.0'));
    });

    it('should deliver strictly in offset order, one transaction at a time, however long a delivery takes', async () => {
      // The first delivery is slow; the handler of the next micro-batch finishes long before it.
      fake.txStep = (step, tx) =>
        step === 'sendBatch' && tx.index === 0
          ? new Promise((resolve) => setTimeout(resolve, 50))
          : Promise.resolve();
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 2, overlapDelivery: true });
      const fetch = fetchOf([0, 1, 2, 3, 4, 5, 6]);

      await run(fake, fetch);

      const txLines = fake.log.filter((l) => /^(begin|offsets|commit) /.test(l));
      expect(txLines).toEqual([
        'begin g.in.0',
        'offsets g.in.0 in:0@2',
        'commit g.in.0',
        'begin g.in.0',
        'offsets g.in.0 in:0@4',
        'commit g.in.0',
        'begin g.in.0',
        'offsets g.in.0 in:0@6',
        'commit g.in.0',
        'begin g.in.0',
        'offsets g.in.0 in:0@7',
        'commit g.in.0',
      ]);
      expect(fake.committedTxs().map((t) => t.outputs)).toEqual([
        values(0, 2),
        values(2, 4),
        values(4, 6),
        values(6, 7),
      ]);
      expect(handler.seen.delivered.map((d) => [d.firstOffset, d.rows])).toEqual([
        ['0', 2],
        ['2', 2],
        ['4', 2],
        ['6', 1],
      ]);
      expect(fetch.resolved).toEqual(['1', '3', '5', '6']);
    });

    it("should never deliver the micro-batch after a fenced one, and report both abandoned('fenced')", async () => {
      const onFatal = jest.fn();
      fake.txStep = async (step, tx) => {
        // The fenced commit waits until the next micro-batch is being handled: it was handled ahead.
        if (step === 'commit' && tx.index === 0) {
          await fake.logged('handle 0:2');
          throw fenced();
        }
      };
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, maxBatchRows: 2, overlapDelivery: true, onFatal });
      const fetch = fetchOf([0, 1, 2, 3, 4, 5]);

      await run(fake, fetch);

      expect(handler.seen.batches).toEqual([
        ['0', '1'],
        ['2', '3'],
      ]);
      // The micro-batch handled ahead is dropped with it, and told so.
      expect(handler.seen.abandoned).toEqual([
        { firstOffset: '0', reason: 'fenced' },
        { firstOffset: '2', reason: 'fenced' },
      ]);
      expect(handler.seen.delivered).toEqual([]);
      expect(fake.transactions).toHaveLength(1);
      expect(fake.transactions[0]?.state).toBe('aborted');
      expect(fake.log.filter((l) => l.startsWith('offsets '))).toEqual(['offsets g.in.0 in:0@2']);
      expect(fetch.resolved).toEqual([]);
      expect(onFatal).not.toHaveBeenCalled();
    });
  });

  describe("commit 'when-handler-says' (exactly-once, the member's one producer)", () => {
    it('should send only the offsets the handler returns, for any partition, with its outputs', async () => {
      const handler = echoHandler(fake, {
        result: () => ({
          commit: [
            { topic: IN, partition: 1, offset: '10' },
            { topic: 'other', partition: 0, offset: '5' },
          ],
        }),
      });
      await startRunner(fake, { handler, commit: 'when-handler-says', transactionalId: 'g.window' });
      const fetch = fetchOf([0, 1, 2]);

      await run(fake, fetch);

      expect(fake.committedTxs()).toEqual([
        { producer: 'g.window', outputs: values(0, 3), offsets: ['in:1@10', 'other:0@5'] },
      ]);
      expect(fake.transactions[0]?.group).toBe(GROUP);
      // No stable start: the member producer already fences a previous instance.
      expect(fake.log).not.toContain('fetchOffsets g');
      expect(fetch.resolved).toEqual(['2']);
      expect(handler.seen.delivered).toEqual([
        expect.objectContaining({ firstOffset: '0', rows: 3, outputs: 3 }),
      ]);
    });

    it('should write nothing when the handler returns no outputs and no commit, and still move the position', async () => {
      const handler = echoHandler(fake, { result: () => ({ outputs: [] }) });
      await startRunner(fake, {
        handler,
        commit: 'when-handler-says',
        transactionalId: 'g.window',
        maxBatchRows: 2,
      });
      const fetch = fetchOf([0, 1, 2]);

      await run(fake, fetch);

      expect(handler.seen.batches).toHaveLength(2);
      expect(fake.transactions).toEqual([]);
      expect(fetch.resolved).toEqual(['1', '2']);
      expect(handler.seen.delivered.map((d) => d.outputs)).toEqual([0, 0]);
    });

    it('should write outputs without offsets when the handler returns no commit', async () => {
      await startRunner(fake, {
        handler: echoHandler(fake),
        commit: 'when-handler-says',
        transactionalId: 'g.window',
      });

      await run(fake, fetchOf([0, 1]));

      expect(fake.committedTxs()).toEqual([{ producer: 'g.window', outputs: values(0, 2), offsets: [] }]);
      expect(fake.log.filter((l) => l.startsWith('offsets '))).toEqual([]);
    });

    it('should name the member producer groupId.member by default', async () => {
      await startRunner(fake, { handler: echoHandler(fake), commit: 'when-handler-says' });

      await run(fake, fetchOf([0]));

      expect(fake.committedTxs().map((t) => t.producer)).toEqual(['g.member']);
    });

    it('should ignore overlapDelivery: the next micro-batch is handled only after the current one is delivered', async () => {
      fake.txStep = (step, tx) =>
        step === 'commit' && tx.index === 0 ? fake.logged('handle 0:2') : Promise.resolve();
      const handler = echoHandler(fake);
      await startRunner(fake, {
        handler,
        commit: 'when-handler-says',
        transactionalId: 'g.window',
        overlapDelivery: true,
        maxBatchRows: 2,
      });

      await run(fake, fetchOf([0, 1, 2, 3]));

      expect(fake.log.indexOf('commit g.window')).toBeGreaterThanOrEqual(0);
      expect(fake.log.indexOf('handle 0:2')).toBeGreaterThan(fake.log.indexOf('commit g.window'));
    });
  });

  describe('at-least-once', () => {
    it('should send the outputs acknowledged by all replicas (acks -1), then commit the offsets with the consumer', async () => {
      const handler = echoHandler(fake);
      await startRunner(fake, { handler, delivery: 'at-least-once', maxBatchRows: 2 });
      const fetch = fetchOf([0, 1, 2]);

      await run(fake, fetch);

      expect(fake.log.filter((l) => l.startsWith('send ') || l.startsWith('consumer commit'))).toEqual([
        'send acks=-1 out:v0,out:v1',
        'consumer commit in:0@2',
        'send acks=-1 out:v2',
        'consumer commit in:0@3',
      ]);
      expect(fake.transactions).toEqual([]);
      expect(fake.producerConfigs).toEqual([expect.objectContaining({ idempotent: true })]);
      expect(fake.producerConfigs[0]?.transactionalId).toBeUndefined();
      expect(fake.log).not.toContain('fetchOffsets g');
      expect(handler.seen.delivered).toHaveLength(2);
    });

    it("should refuse commit 'when-handler-says'", () => {
      expect(
        () =>
          new PartitionBatchRunner({
            kafka: fake.kafka,
            groupId: GROUP,
            topics: [IN],
            handler: echoHandler(fake),
            delivery: 'at-least-once',
            commit: 'when-handler-says',
          }),
      ).toThrow(/exactly-once/);
    });
  });

  describe('consumer events', () => {
    it('should await handler.assigned after a GROUP_JOIN before handing the next micro-batch', async () => {
      const gate = deferred();
      const assigned = jest.fn((assignment: unknown) => {
        fake.note(`assigned ${JSON.stringify(assignment)}`);
        return gate.promise;
      });
      const handler = { ...echoHandler(fake), assigned };
      await startRunner(fake, { handler });

      fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { memberAssignment: { [IN]: [0, 1] } });
      const fetched = run(fake, fetchOf([0]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(handler.seen.batches).toEqual([]);
      gate.resolve();
      await fetched;

      expect(assigned.mock.calls).toEqual([[{ [IN]: [0, 1] }]]);
      expect(handler.seen.batches).toEqual([['0']]);
      expect(fake.log.indexOf('handle 0:0')).toBeGreaterThan(fake.log.indexOf('assigned {"in":[0,1]}'));
    });

    it('should stop (onFatal) when the handler cannot take the new assignment', async () => {
      const onFatal = jest.fn();
      const error = new Error('state store unreachable');
      const handler = { ...echoHandler(fake), assigned: () => Promise.reject(error) };
      await startRunner(fake, { handler, onFatal });

      fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { memberAssignment: { [IN]: [0] } });
      await run(fake, fetchOf([0]));

      expect(onFatal.mock.calls).toEqual([[error]]);
    });

    it('should release the producers of partitions the member lost', async () => {
      await startRunner(fake, { handler: echoHandler(fake) });
      await run(fake, fetchOf([0], { partition: 0 }));
      await run(fake, fetchOf([0], { partition: 1 }));
      expect(fake.log.filter((l) => l.startsWith('disconnect '))).toEqual([]);

      fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { memberAssignment: { [IN]: [1] } });
      await new Promise((resolve) => setTimeout(resolve, 0));

      expect(fake.log.filter((l) => l.startsWith('disconnect '))).toEqual(['disconnect g.in.0']);
    });

    it('should report a fetch of only control records (END_BATCH_PROCESS with batchSize 0) as skipped', async () => {
      const skipped = jest.fn();
      await startRunner(fake, { handler: { ...echoHandler(fake), skipped } });

      fake.emit(CONSUMER_EVENTS.END_BATCH_PROCESS, {
        topic: IN,
        partition: 1,
        batchSize: 0,
        lastOffset: '41',
      });
      fake.emit(CONSUMER_EVENTS.END_BATCH_PROCESS, {
        topic: IN,
        partition: 1,
        batchSize: 3,
        lastOffset: '44',
      });

      expect(skipped.mock.calls).toEqual([[{ topic: IN, partition: 1, nextOffset: 42 }]]);
    });

    it('should stop (onFatal) when the consumer crashes for good, not when kafkajs restarts it', async () => {
      const onFatal = jest.fn();
      await startRunner(fake, { handler: echoHandler(fake), onFatal });
      const restarted = new Error('restarting');
      const final = new Error('gave up');

      fake.emit(CONSUMER_EVENTS.CRASH, { error: restarted, restart: true });
      fake.emit(CONSUMER_EVENTS.CRASH, { error: final, restart: false });

      expect(onFatal.mock.calls).toEqual([[final]]);
    });
  });

  describe('lifecycle', () => {
    it('should be running once started, and leave the group before closing its producers on stop', async () => {
      const runner = await startRunner(fake, { handler: echoHandler(fake) });
      expect(runner.isRunning).toBe(true);
      await run(fake, fetchOf([0]));

      await runner.stop();

      expect(runner.isRunning).toBe(false);
      const leave = fake.log.indexOf('consumer disconnect');
      expect(leave).toBeGreaterThanOrEqual(0);
      expect(fake.log.indexOf('disconnect g.in.0')).toBeGreaterThan(leave);
    });
  });
});
