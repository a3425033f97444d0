import type { Producer } from 'kafkajs';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions, type OutputMessage } from '@streamscore/kafka';
import { PublishQueue } from './publish-queue';

/**
 * Why records were not published: the queue was full, the service stopped before they went, or
 * building them failed (a bug, reported with its error: it must not stop the publishing of others).
 */
export type DropReason = 'queue_full' | 'shutdown' | 'unbuildable';

/** What happened to the records (for the metrics and the log). */
export interface PublisherEvents {
  /** Acknowledged by every in-sync replica. */
  published(records: number): void;
  /** Given up: never sent, or sent without an acknowledgement before the shutdown deadline. */
  dropped(reason: DropReason, records: number, error?: unknown): void;
  /** A send failed; its records stay in hand and are sent again after a backoff. */
  sendFailed(error: unknown, records: number): void;
}

export interface PredictionPublisherOptions<T> {
  /** An idempotent producer (acks = -1 on every send), not connected yet. */
  readonly producer: Pick<Producer, 'connect' | 'disconnect' | 'send'>;
  /** Records held at most; an item that does not fit is dropped and counted. */
  readonly capacity: number;
  readonly recordsOf: (item: T) => readonly OutputMessage[];
  /** How many records an item makes (its rows), known before they are built. */
  readonly weightOf: (item: T) => number;
  readonly events: PublisherEvents;
  /** Records per send at most (default 500, a few hundred KB: under a broker's 1 MB batch limit). */
  readonly maxSendRecords?: number;
  readonly backoff?: BackoffOptions;
}

export const DEFAULT_MAX_SEND_RECORDS = 500;

/**
 * Publishes records off the caller's path, at least once: offer() only queues (the records are
 * built later, in the send loop, after a setImmediate so the caller's answer goes out first); one
 * send at a time takes everything queued meanwhile (kafkajs has no linger: the batch is what
 * waited during the previous send). A failed send is retried with backoff until it is
 * acknowledged; while Kafka is away the queue fills and what does not fit is dropped and counted
 * rather than making callers wait. close() stops taking items and sends what is held until a
 * deadline; what is left then is counted as dropped.
 */
export class PredictionPublisher<T> {
  private readonly queue: PublishQueue<T>;
  private loop: Promise<void> | undefined;
  private connected = false;
  private closing = false;
  private deadline = Number.POSITIVE_INFINITY;
  private wake: (() => void) | undefined;

  constructor(private readonly options: PredictionPublisherOptions<T>) {
    this.queue = new PublishQueue<T>(options.capacity);
  }

  /** Records queued and not yet taken by a send. */
  get queued(): number {
    return this.queue.weight;
  }

  offer(item: T): void {
    const weight = this.options.weightOf(item);
    if (this.closing) this.options.events.dropped('shutdown', weight);
    else if (!this.queue.offer(item, weight)) this.options.events.dropped('queue_full', weight);
    else this.loop ??= this.run();
  }

  /**
   * Sends what is held for up to timeoutMs, then disconnects (which fails a send still waiting
   * for its acknowledgement); what is left is counted as dropped, and so is any later offer.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.deadline = Date.now() + timeoutMs;
    const loop = this.loop;
    if (loop) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.wake?.();
          resolve();
        }, timeoutMs);
      });
      await Promise.race([loop, expired]);
      clearTimeout(timer);
    }
    if (this.connected) await this.options.producer.disconnect().catch(() => undefined);
    this.connected = false;
    if (loop) await loop;
    const { weight } = this.queue.drain();
    if (weight > 0) this.options.events.dropped('shutdown', weight);
  }

  private async run(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const { recordsOf, maxSendRecords = DEFAULT_MAX_SEND_RECORDS } = this.options;
    while (!this.queue.isEmpty && !this.pastDeadline()) {
      const { items } = this.queue.take(maxSendRecords);
      await this.send(items.flatMap((item) => this.build(item, recordsOf)));
    }
    // Nothing can be offered between the loop's last check and this line (no await between).
    this.loop = undefined;
  }

  private build(item: T, recordsOf: (item: T) => readonly OutputMessage[]): readonly OutputMessage[] {
    try {
      return recordsOf(item);
    } catch (error) {
      this.options.events.dropped('unbuildable', this.options.weightOf(item), error);
      return [];
    }
  }

  /** Sends until acknowledged, or until the close deadline has passed (then the records are dropped). */
  private async send(records: readonly OutputMessage[]): Promise<void> {
    if (records.length === 0) return;
    const { producer, events, backoff = DEFAULT_BACKOFF } = this.options;
    const left = byTopic(records);
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.connected) {
          await producer.connect();
          this.connected = true;
        }
        for (const [topic, messages] of left) {
          await producer.send({ topic, messages, acks: -1 });
          // A retry after a later topic failed sends only what is not acknowledged yet.
          left.delete(topic);
          events.published(messages.length);
        }
        return;
      } catch (error) {
        const unsent = [...left.values()].reduce((sum, messages) => sum + messages.length, 0);
        events.sendFailed(error, unsent);
        if (this.pastDeadline() || !(await this.pause(backoffDelayMs(attempt, backoff)))) {
          events.dropped('shutdown', unsent);
          return;
        }
      }
    }
  }

  /** Waits ms unless close's deadline comes first; false when it did. */
  private async pause(ms: number): Promise<boolean> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    return !this.pastDeadline();
  }

  private pastDeadline(): boolean {
    return Date.now() >= this.deadline;
  }
}

type Message = Pick<OutputMessage, 'key' | 'value' | 'headers'>;

/** One kafkajs send per topic (a request's records go to one topic; shadow requests to another). */
function byTopic(records: readonly OutputMessage[]): Map<string, Message[]> {
  const topics = new Map<string, Message[]>();
  for (const { topic, key, value, headers } of records) {
    const messages = topics.get(topic) ?? [];
    messages.push(headers ? { key, value, headers } : { key, value });
    topics.set(topic, messages);
  }
  return topics;
}
