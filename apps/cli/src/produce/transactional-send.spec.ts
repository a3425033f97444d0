import type { Message } from 'kafkajs';
import type { LineMessage } from './line-messages';
import {
  BASE_TRANSACTION_TIMEOUT_MS,
  ProduceInterrupted,
  DEFAULT_TRANSACTION_LINES,
  sendInTransactions,
  transactionLinesOf,
  transactionTimeoutMs,
  type Committed,
  type OpenTransaction,
  type TransactionalSink,
} from './transactional-send';

/** A producer that keeps what each transaction sent, and fails where told. */
class FakeProducer implements TransactionalSink {
  readonly committed: string[][] = [];
  readonly aborted: string[][] = [];
  sends = 0;

  constructor(private readonly fail: { send?: number; commit?: Error } = {}) {}

  transaction(): Promise<OpenTransaction> {
    const open: string[] = [];
    return Promise.resolve({
      send: ({ messages }: { messages: Message[] }) => {
        this.sends += 1;
        if (this.sends === this.fail.send) return Promise.reject(new Error('MESSAGE_TOO_LARGE'));
        open.push(...messages.map((m) => String(m.value)));
        return Promise.resolve([]);
      },
      commit: () => {
        if (this.fail.commit && this.committed.length === 1) return Promise.reject(this.fail.commit);
        this.committed.push(open);
        return Promise.resolve();
      },
      abort: () => {
        this.aborted.push(open);
        return Promise.resolve();
      },
    });
  }
}

/** Lines 1, 2, 4, 5, 6, 7, 8 (line 3 blank in the file). */
const lines: LineMessage[] = [1, 2, 4, 5, 6, 7, 8].map((line) => ({
  line,
  message: { key: 'k', value: Buffer.from(`L${line}`), headers: {} },
}));

async function run(producer: FakeProducer, from: LineMessage[], max?: number) {
  const commits: Committed[] = [];
  const out = await sendInTransactions(producer, {
    topic: 't',
    lines: from,
    transactionLines: 3,
    sendSize: 2,
    ...(max === undefined ? {} : { max }),
    onCommit: (c) => commits.push(c),
  }).catch((error: unknown) => error as ProduceInterrupted);
  return { out, commits };
}

describe('sendInTransactions', () => {
  it('should commit transactions of the stated size in line order and report each one', async () => {
    const producer = new FakeProducer();
    const { out, commits } = await run(producer, lines);
    expect(out).toEqual({ records: 7, transactions: 3 });
    expect(producer.committed).toEqual([['L1', 'L2', 'L4'], ['L5', 'L6', 'L7'], ['L8']]);
    expect(commits.map((c) => [c.firstLine, c.lastLine, c.records, c.totalRecords])).toEqual([
      [1, 4, 3, 3],
      [5, 7, 3, 6],
      [8, 8, 1, 7],
    ]);
  });

  it('should abort the failing transaction and name the line that resumes exactly', async () => {
    // Sends of 2: [L1 L2] [L4] | [L5 L6] [L7] — the fourth send fails, after L5 and L6 went out.
    const producer = new FakeProducer({ send: 4 });
    const { out, commits } = await run(producer, lines, 7);
    expect(out).toBeInstanceOf(ProduceInterrupted);
    const error = out as ProduceInterrupted;
    expect(error.resumeLine).toBe(5);
    expect(error.committedRecords).toBe(3);
    expect(error.message).toBe(
      'the transaction of lines 5-7 failed and was aborted: MESSAGE_TOO_LARGE. Lines before 5 are ' +
        'committed (3 record(s) in 1 transaction(s)); resume with --from-line 5 --max 4',
    );
    expect(commits.map((c) => c.lastLine)).toEqual([4]);
    expect(producer.aborted).toEqual([['L5', 'L6']]);

    // The resumed run sends exactly the rest: nothing twice, nothing missing.
    const again = new FakeProducer();
    await run(
      again,
      lines.filter((l) => l.line >= error.resumeLine),
    );
    expect([...producer.committed, ...again.committed].flat()).toEqual(
      lines.map((l) => String(l.message.value)),
    );
  });

  it('should say a commit without an answer may have been applied, and how to resume either way', async () => {
    const producer = new FakeProducer({ commit: new Error('Request EndTxn timed out') });
    const { out } = await run(producer, lines);
    expect((out as Error).message).toBe(
      'the commit of lines 5-7 was not confirmed: Request EndTxn timed out. Lines before 5 are committed ' +
        "(3 record(s) in 1 transaction(s)). If line 7's record is on the topic (streamscore consume), " +
        'resume with --from-line 8; otherwise with --from-line 5',
    );
  });

  it('should state a commit the broker refused as not written', async () => {
    const refusal = Object.assign(
      new Error('The producer attempted to use a producer id which is not currently assigned'),
      {
        name: 'KafkaJSProtocolError',
      },
    );
    const { out } = await run(new FakeProducer({ commit: refusal }), lines);
    expect((out as ProduceInterrupted).message).toMatch(
      /^the transaction of lines 5-7 failed and its commit was refused: .*; resume with --from-line 5$/,
    );
  });
});

describe('transactionLinesOf', () => {
  it('should take the option, else the default, else one second of records at --rate', () => {
    expect(transactionLinesOf({ transactionLines: 7, rate: 1_000 })).toBe(7);
    expect(transactionLinesOf({})).toBe(DEFAULT_TRANSACTION_LINES);
    expect(transactionLinesOf({ rate: 2.5 })).toBe(3);
    expect(transactionLinesOf({ rate: 1e9 })).toBe(DEFAULT_TRANSACTION_LINES);
  });
});

describe('transactionTimeoutMs', () => {
  it('should add the time --rate keeps a transaction open, up to 10 minutes', () => {
    expect(transactionTimeoutMs(100_000, undefined)).toBe(BASE_TRANSACTION_TIMEOUT_MS);
    expect(transactionTimeoutMs(1_000, 100)).toBe(BASE_TRANSACTION_TIMEOUT_MS + 10_000);
    expect(() => transactionTimeoutMs(100_000, 100)).toThrow(/lower --transaction-lines/);
  });
});
