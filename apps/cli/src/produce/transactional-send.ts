import type { Message } from 'kafkajs';
import type { LineMessage } from './line-messages';

/** What sendInTransactions needs of a kafkajs transactional producer. */
export interface TransactionalSink {
  transaction(): Promise<OpenTransaction>;
}

export interface OpenTransaction {
  send(record: { topic: string; acks: number; messages: Message[] }): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** One committed transaction and the totals so far. */
export interface Committed {
  readonly firstLine: number;
  readonly lastLine: number;
  readonly records: number;
  readonly totalRecords: number;
  readonly transactions: number;
}

export interface TransactionPlan {
  readonly topic: string;
  readonly lines: readonly LineMessage[];
  /** Records per transaction. */
  readonly transactionLines: number;
  /** Records per send request within a transaction. */
  readonly sendSize: number;
  /** The run's --max, to state what is left of it in the resume hint. */
  readonly max?: number;
  /** Called after each send with the records sent so far (rate pacing). */
  readonly pace?: (sent: number) => Promise<void>;
  readonly onSent?: (records: number) => void;
  readonly onCommit?: (committed: Committed) => void;
}

/** A transaction failed: everything before `resumeLine` is committed, nothing from it on is. */
export class ProduceInterrupted extends Error {
  override readonly name = 'ProduceInterrupted';

  constructor(
    message: string,
    readonly resumeLine: number,
    readonly committedRecords: number,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/** Records per transaction unless --transaction-lines or --rate says otherwise. */
export const DEFAULT_TRANSACTION_LINES = 100_000;

/**
 * Records per transaction: --transaction-lines, else the default, else with --rate one second of
 * records (a consumer reading committed records sees a paced run's records within about a second).
 */
export function transactionLinesOf(options: { rate?: number; transactionLines?: number }): number {
  if (options.transactionLines !== undefined) return options.transactionLines;
  if (options.rate === undefined) return DEFAULT_TRANSACTION_LINES;
  return Math.min(DEFAULT_TRANSACTION_LINES, Math.ceil(options.rate));
}

/** Transaction timeout of a run: kafkajs' 60 s, plus the time --rate keeps a transaction open. */
export const BASE_TRANSACTION_TIMEOUT_MS = 60_000;
/** Longest a paced transaction may stay open (brokers cap timeouts at 15 min by default). */
export const MAX_PACED_TRANSACTION_MS = 600_000;

export function transactionTimeoutMs(transactionLines: number, rate: number | undefined): number {
  if (rate === undefined) return BASE_TRANSACTION_TIMEOUT_MS;
  const paced = Math.ceil((transactionLines / rate) * 1000);
  if (paced > MAX_PACED_TRANSACTION_MS) {
    throw new Error(
      `--transaction-lines ${transactionLines} at --rate ${rate} keeps each transaction open ` +
        `${Math.round(paced / 1000)} s, over ${MAX_PACED_TRANSACTION_MS / 1000} s: lower --transaction-lines`,
    );
  }
  return BASE_TRANSACTION_TIMEOUT_MS + paced;
}

async function abortQuietly(transaction: OpenTransaction | undefined): Promise<string | undefined> {
  if (transaction === undefined) return undefined;
  try {
    await transaction.abort();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

interface Failure {
  readonly part: readonly LineMessage[];
  readonly phase: 'send' | 'refused' | 'commit';
  readonly cause: unknown;
  /** Why the abort after a failed send failed, if it did. */
  readonly abortError?: string | undefined;
}

function interrupted(
  plan: TransactionPlan,
  done: { records: number; transactions: number },
  failure: Failure,
): ProduceInterrupted {
  const { part, phase, cause, abortError } = failure;
  const first = part[0]?.line ?? 0;
  const last = part[part.length - 1]?.line ?? first;
  const max = (records: number): string => (plan.max === undefined ? '' : ` --max ${plan.max - records}`);
  const before =
    done.records > 0
      ? `Lines before ${first} are committed (${done.records} record(s) in ${done.transactions} transaction(s))`
      : 'Nothing before them was written';
  if (phase === 'commit') {
    // kafkajs sends EndTxn once, without retries: a lost answer leaves the outcome unknown.
    return new ProduceInterrupted(
      `the commit of lines ${first}-${last} was not confirmed: ${messageOf(cause)}. ${before}. ` +
        `If line ${last}'s record is on the topic (streamscore consume), resume with --from-line ${last + 1}` +
        `${max(done.records + part.length)}; otherwise with --from-line ${first}${max(done.records)}`,
      first,
      done.records,
      cause,
    );
  }
  const fate =
    phase === 'refused'
      ? 'its commit was refused'
      : abortError === undefined
        ? 'was aborted'
        : `could not be aborted (${abortError}); the broker aborts it at its transaction timeout`;
  return new ProduceInterrupted(
    `the transaction of lines ${first}-${last} failed and ${fate}: ${messageOf(cause)}. ` +
      `${before}; resume with --from-line ${first}${max(done.records)}`,
    first,
    done.records,
    cause,
  );
}

/**
 * Sends the lines in transactions of `transactionLines` records, in line order, each committed
 * before the next begins; `onCommit` hears of each commit. A failure aborts the open transaction
 * and throws ProduceInterrupted naming the first line not committed, so that a run with
 * `--from-line` that line sends exactly the rest.
 */
export async function sendInTransactions(
  producer: TransactionalSink,
  plan: TransactionPlan,
): Promise<{ records: number; transactions: number }> {
  const done = { records: 0, transactions: 0 };
  for (let start = 0; start < plan.lines.length; start += plan.transactionLines) {
    const part = plan.lines.slice(start, start + plan.transactionLines);
    let transaction: OpenTransaction | undefined;
    try {
      transaction = await producer.transaction();
      for (let at = 0; at < part.length; at += plan.sendSize) {
        const batch = part.slice(at, at + plan.sendSize);
        await transaction.send({ topic: plan.topic, acks: -1, messages: batch.map((l) => l.message) });
        plan.onSent?.(batch.length);
        await plan.pace?.(start + at + batch.length);
      }
    } catch (error) {
      const abortError = await abortQuietly(transaction);
      throw interrupted(plan, done, { part, phase: 'send', cause: error, abortError });
    }
    try {
      await transaction.commit();
    } catch (error) {
      // An error answer means the coordinator did not commit; no answer leaves it open.
      const refused = error instanceof Error && error.name === 'KafkaJSProtocolError';
      throw interrupted(plan, done, { part, phase: refused ? 'refused' : 'commit', cause: error });
    }
    done.records += part.length;
    done.transactions += 1;
    plan.onCommit?.({
      firstLine: part[0]?.line ?? 0,
      lastLine: part[part.length - 1]?.line ?? 0,
      records: part.length,
      totalRecords: done.records,
      transactions: done.transactions,
    });
  }
  return done;
}
